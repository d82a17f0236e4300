/// One edge node's session as the gateway, a Sparkplug host application, sees it: online from
/// its NBIRTH until the NDEATH that carries the NBIRTH's `bdSeq`, its `seq`, its devices, and
/// the metrics its births defined, by name and by alias.
///
/// Births replace definitions (section 6.4.6: aliases are rebuilt on each NBIRTH and DBIRTH), so
/// the tables hold only the latest birth's metrics of each device: a node's memory is bounded
/// by what its births define now, however often it is born again.
struct SparkplugNode {
    let group: String
    let edgeNode: String
    /// Born and not dead since: its DATA can be read.
    var isBorn = false
    /// The `bdSeq` of the NBIRTH in force; an NDEATH is honoured only with the same one.
    var birthSequence: UInt64?
    var sequence = SparkplugSequence(birth: 0)
    /// Index 0 is the edge node itself.
    private(set) var devices: [SparkplugDevice]
    /// Device ids (not the node's own) by their bytes: indices into `devices`.
    private var deviceIDs = ByteKeyTable()
    private(set) var metrics: [SparkplugBirthMetric] = []
    /// Aliases of the whole node, devices included (unique across them, section 6.4.6): indices
    /// into `metrics`. Small aliases (as senders number them, from 0 or 1) index `aliasSlots`
    /// (-1 for none), which is at most four times the metrics' count long, so that a birth with
    /// a huge alias costs no memory; the others are in `aliases`.
    private var aliasSlots: [Int32] = []
    private var aliases: [UInt64: Int32] = [:]
    /// When the last rebirth was requested of it (receive time), for the rate limit.
    var lastRebirthRequestMillis: Int64 = .min
    /// Receive time of its latest message, for retirement.
    var lastMessageMillis: Int64

    init(group: String, edgeNode: String, receivedMillis: Int64) {
        self.group = group
        self.edgeNode = edgeNode
        self.devices = [SparkplugDevice(id: edgeNode, isBorn: false, group: group, edgeNode: edgeNode)]
        self.lastMessageMillis = receivedMillis
    }

    /// An NBIRTH: online, a new session, every device offline until its DBIRTH, and no metric
    /// defined until `define` gives the node's own.
    mutating func bornAgain(birthSequence: UInt64?, seq: UInt8) {
        isBorn = true
        self.birthSequence = birthSequence
        sequence = SparkplugSequence(birth: seq)
        devices = [SparkplugDevice(id: edgeNode, isBorn: true, group: group, edgeNode: edgeNode)]
        deviceIDs.removeAll()
        metrics.removeAll()
        aliasSlots.removeAll()
        aliases.removeAll()
    }

    /// An honoured NDEATH: the node and its devices are offline.
    mutating func die() {
        isBorn = false
        for index in devices.indices { devices[index].isBorn = false }
    }

    /// The index of the device whose id is `bytes`, or nil.
    func device(id bytes: UnsafeRawBufferPointer) -> Int? {
        deviceIDs.value(for: bytes).map(Int.init)
    }

    /// The index of device `id`, added (offline) if new.
    mutating func addDevice(id: String) -> Int {
        if let index = deviceIDs.value(for: id) { return Int(index) }
        devices.append(SparkplugDevice(id: id, isBorn: false, group: group, edgeNode: edgeNode))
        deviceIDs.insert(id, value: Int32(devices.count - 1))
        return devices.count - 1
    }

    /// A DDEATH: device `index` is offline.
    mutating func deviceDied(_ index: Int) {
        devices[index].isBorn = false
    }

    /// Why `definitions` cannot be device `device`'s births: a name twice, or an alias twice or
    /// (unless `isNodeBirth`, which replaces every device's) already another device's; nil when
    /// they can.
    func conflict(in definitions: [SparkplugBirthMetric], device: Int, isNodeBirth: Bool) -> String? {
        var names = Set<String>()
        var ownAliases = Set<UInt64>()
        for definition in definitions {
            guard names.insert(definition.name).inserted else { return "the metric \(definition.name) is defined twice" }
            guard let alias = definition.alias else { continue }
            guard ownAliases.insert(alias).inserted else { return "alias \(alias) is given to two metrics" }
            if !isNodeBirth, let other = metricIndex(alias: alias), metrics[Int(other)].device != Int32(device) {
                return "alias \(alias) is already \(metrics[Int(other)].name) of \(devices[Int(metrics[Int(other)].device)].id)"
            }
        }
        return nil
    }

    /// A BIRTH of device `device` (0: the node's own): online, with `definitions` replacing the
    /// metrics its previous birth defined. O(the node's metrics). Check `conflict` first.
    mutating func define(_ definitions: [SparkplugBirthMetric], device: Int) {
        devices[device].isBorn = true
        metrics.removeAll { $0.device == Int32(device) }
        metrics.append(contentsOf: definitions)
        let slots = min(4 * metrics.count + 64, Int(metrics.compactMap(\.alias).max().map { min($0, 1 << 20) + 1 } ?? 0))
        aliasSlots = Array(repeating: -1, count: slots)
        aliases.removeAll(keepingCapacity: true)
        for index in devices.indices { devices[index].names.removeAll() }
        for (index, metric) in metrics.enumerated() {
            devices[Int(metric.device)].names.insert(metric.name, value: Int32(index))
            guard let alias = metric.alias else { continue }
            if alias < UInt64(aliasSlots.count) {
                aliasSlots[Int(alias)] = Int32(index)
            } else {
                aliases[alias] = Int32(index)
            }
        }
    }

    /// Restores a checkpointed node's devices (the node's own first) and metrics, rebuilding
    /// the tables that find them.
    mutating func restore(devices restored: [(id: String, isBorn: Bool)], metrics restoredMetrics: [SparkplugBirthMetric]) {
        devices = [SparkplugDevice(id: edgeNode, isBorn: restored.first?.isBorn ?? false, group: group, edgeNode: edgeNode)]
        deviceIDs.removeAll()
        for device in restored.dropFirst() {
            let index = addDevice(id: device.id)
            devices[index].isBorn = device.isBorn
        }
        let born = devices.map(\.isBorn)
        metrics = []
        aliasSlots.removeAll()
        aliases.removeAll()
        for index in devices.indices {
            define(restoredMetrics.filter { $0.device == Int32(index) }, device: index)
            devices[index].isBorn = born[index]
        }
    }

    /// The index in `metrics` of the metric bound to `alias`, or nil. O(1), allocation-free.
    func metricIndex(alias: UInt64) -> Int32? {
        guard alias < UInt64(aliasSlots.count) else { return aliases[alias] }
        let index = aliasSlots[Int(alias)]
        return index < 0 ? nil : index
    }

    /// The index in `metrics` of device `device`'s metric named `bytes`, or nil.
    func metricIndex(device: Int, name bytes: UnsafeRawBufferPointer) -> Int32? {
        devices[device].names.value(for: bytes)
    }
}
