/// The Sparkplug B layout and session state of a run (`--format sparkplug`): one edge node per
/// park and site that the run's devices are in (group = park, edge node = site), and per device
/// its edge node, the aliases of its metrics, its DDATA topic and whether its DBIRTH is in force.
///
/// Edge nodes are numbered in the order their first device comes in the fleet, so `--first-device`
/// ranges of 24 devices or more all have the 24 sites of the 6 parks. Aliases are 1, 2, … within
/// each edge node, over its devices in fleet order and each device's metrics in catalogue order:
/// unique over the edge node, as Sparkplug 3.0.0 section 6.4.6 requires.
struct SparkplugEdge: Sendable {
    /// The first level of every Sparkplug B topic.
    static let namespace = "spBv1.0"

    /// The edge nodes, in the order their first device comes in the fleet.
    private(set) var nodes: [SparkplugEdgeNode]
    /// Per device (position in the fleet): the index of its edge node in `nodes`.
    let nodeOfDevice: [Int]
    /// Per device: the alias of its kind's first metric; metric `k` of the kind has `firstAlias + k`.
    let firstAlias: [UInt64]
    /// Per device: its DDATA topic, `spBv1.0/{park}/DDATA/{edge node}/{device}`.
    let dataTopics: [String]
    /// Per device: whether its DBIRTH is in force (published since its edge node's latest NBIRTH).
    private(set) var deviceBorn: [Bool]
    private let nodeOfCommandTopic: [String: Int]

    /// Lays out `devices` (the fleet, in order) over edge nodes whose ids are their site followed
    /// by `suffix`, every session with `bdSeq`. Nothing is born yet.
    init(devices: [SimulatedDevice], suffix: String, bdSeq: UInt64 = 0) {
        var nodes: [SparkplugEdgeNode] = []
        var nodeOfPlace: [String: Int] = [:]
        var nodeOfDevice: [Int] = []
        var firstAlias: [UInt64] = []
        var nextAlias: [UInt64] = []
        var dataTopics: [String] = []
        for (position, device) in devices.enumerated() {
            let place = device.park + "/" + device.site
            let node: Int
            if let known = nodeOfPlace[place] {
                node = known
            } else {
                node = nodes.count
                nodeOfPlace[place] = node
                nodes.append(SparkplugEdgeNode(group: device.park, site: device.site, suffix: suffix, bdSeq: bdSeq))
                nextAlias.append(1)
            }
            nodes[node].devices.append(position)
            nodeOfDevice.append(node)
            firstAlias.append(nextAlias[node])
            nextAlias[node] += UInt64(device.kind.metrics.count)
            dataTopics.append(nodes[node].deviceTopic("DDATA", device: device.name))
        }
        self.nodes = nodes
        self.nodeOfDevice = nodeOfDevice
        self.firstAlias = firstAlias
        self.dataTopics = dataTopics
        deviceBorn = Array(repeating: false, count: devices.count)
        nodeOfCommandTopic = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.commandTopic, $0) })
    }

    /// The edge node whose NCMD topic is `topic`, if it is one of this run's.
    func node(ofCommandTopic topic: String) -> Int? {
        nodeOfCommandTopic[topic]
    }

    /// The edge node of the device at `position` in the fleet.
    func node(ofDevice position: Int) -> SparkplugEdgeNode {
        nodes[nodeOfDevice[position]]
    }

    /// Takes the next `seq` of edge node `node`.
    mutating func takeSeq(node: Int) -> UInt64 {
        nodes[node].takeSeq()
    }

    /// Records that edge node `node`'s NBIRTH is in force, or (`false`) that it is not: then none
    /// of its devices' DBIRTHs is either, as the gateway takes its devices offline on a new NBIRTH.
    mutating func setBorn(node: Int, _ born: Bool) {
        nodes[node].isBorn = born
        if !born {
            for device in nodes[node].devices { deviceBorn[device] = false }
        }
    }

    /// Records whether the DBIRTH of the device at `position` is in force.
    mutating func setBorn(device position: Int, _ born: Bool) {
        deviceBorn[position] = born
    }
}
