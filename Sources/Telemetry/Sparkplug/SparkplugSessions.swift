/// The edge nodes the gateway has heard from, found by the bytes of their group and edge node
/// ids, so that a message of a known node is read without building a `String`.
///
/// It counts the devices (beyond each node's own) and the metrics their births define, over
/// every node, so that the pipeline can bound what edge nodes make it remember: the changes
/// that add to them go through `bornAgain`, `addDevice` and `define` here.
struct SparkplugSessions {
    private(set) var nodes: [SparkplugNode] = []
    /// Devices of all nodes, not counting each node's own.
    private(set) var deviceTotal = 0
    /// Metrics the births in force define, over all nodes.
    private(set) var metricTotal = 0
    /// Group id, a 0 byte (no id holds one: ids are UTF-8 without U+0000), edge node id.
    private var index = ByteKeyTable()
    private var keyBytes: [UInt8] = []

    var count: Int { nodes.count }

    subscript(node: Int) -> SparkplugNode {
        _read { yield nodes[node] }
        _modify { yield &nodes[node] }
    }

    /// The node of `group` and `edgeNode`, or nil. Allocation-free once warm.
    mutating func node(group: UnsafeRawBufferPointer, edgeNode: UnsafeRawBufferPointer) -> Int? {
        makeKey(group, edgeNode)
        return keyBytes.withUnsafeBytes { index.value(for: $0) }.map(Int.init)
    }

    /// An NBIRTH of `node` (see `SparkplugNode.bornAgain`).
    mutating func bornAgain(_ node: Int, birthSequence: UInt64?, seq: UInt8) {
        deviceTotal -= nodes[node].devices.count - 1
        metricTotal -= nodes[node].metrics.count
        nodes[node].bornAgain(birthSequence: birthSequence, seq: seq)
    }

    /// The index of device `id` of `node`, added (offline) if new.
    mutating func addDevice(_ node: Int, id: String) -> Int {
        let before = nodes[node].devices.count
        let device = nodes[node].addDevice(id: id)
        deviceTotal += nodes[node].devices.count - before
        return device
    }

    /// A BIRTH of `device` of `node` (see `SparkplugNode.define`).
    mutating func define(_ node: Int, _ definitions: [SparkplugBirthMetric], device: Int) {
        let before = nodes[node].metrics.count
        nodes[node].define(definitions, device: device)
        metricTotal += nodes[node].metrics.count - before
    }

    /// Adds a node not heard from before (not born yet), or a restored one.
    mutating func add(_ node: SparkplugNode) -> Int {
        deviceTotal += node.devices.count - 1
        metricTotal += node.metrics.count
        var (group, edgeNode) = (node.group, node.edgeNode)
        group.withUTF8 { group in edgeNode.withUTF8 { makeKey(UnsafeRawBufferPointer(group), UnsafeRawBufferPointer($0)) } }
        keyBytes.withUnsafeBytes { index.insert($0, value: Int32(nodes.count)) }
        nodes.append(node)
        return nodes.count - 1
    }

    /// Forgets the nodes for which `isRetired` is true; returns how many. O(nodes), allocation-free
    /// when none is.
    mutating func removeAll(where isRetired: (SparkplugNode) -> Bool) -> Int {
        guard nodes.contains(where: isRetired) else { return 0 }
        let before = nodes.count
        var kept: [Int32?] = []
        var remaining: [SparkplugNode] = []
        for node in nodes {
            if isRetired(node) {
                kept.append(nil)
                deviceTotal -= node.devices.count - 1
                metricTotal -= node.metrics.count
            } else {
                kept.append(Int32(remaining.count))
                remaining.append(node)
            }
        }
        nodes = remaining
        index = index.remapped { kept[Int($0)] }
        return before - remaining.count
    }

    private mutating func makeKey(_ group: UnsafeRawBufferPointer, _ edgeNode: UnsafeRawBufferPointer) {
        keyBytes.removeAll(keepingCapacity: true)
        keyBytes.append(contentsOf: group)
        keyBytes.append(0)
        keyBytes.append(contentsOf: edgeNode)
    }
}
