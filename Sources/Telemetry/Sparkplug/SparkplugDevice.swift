/// A device of an edge node (or the edge node itself, whose own metrics have its id as their
/// device) as the host sees it: online from its BIRTH until its DEATH, with the names its
/// BIRTH defined.
struct SparkplugDevice {
    var id: String
    var isBorn: Bool
    /// Metric names of its BIRTH, by their bytes: indices into `SparkplugNode.metrics`.
    var names = ByteKeyTable()
    /// The bytes its readings' device is found by among the aggregator's aliases: a 0 byte, then
    /// the group, edge node and device ids, each after its length (4 bytes, little-endian), as a
    /// line protocol device's (`IngestPipeline+LineProtocol.swift`), so that the two name one
    /// device alike. Built once, so a message builds nothing to find its device.
    let aggregatorAlias: [UInt8]

    init(id: String, isBorn: Bool, group: String, edgeNode: String) {
        self.id = id
        self.isBorn = isBorn
        var alias: [UInt8] = [0]
        for part in [group, edgeNode, id] {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: part.utf8.count).littleEndian) { alias.append(contentsOf: $0) }
            alias.append(contentsOf: part.utf8)
        }
        aggregatorAlias = alias
    }
}
