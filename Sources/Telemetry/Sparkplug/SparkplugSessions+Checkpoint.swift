/// The edge nodes' sessions in a checkpoint (format 8 on), so that after a crash the messages
/// replayed from the ring, and those that follow, are read with the births received before it.
/// The time of the last rebirth request is not kept: after a restart one may be sent at once.
extension SparkplugSessions {
    func encode(to writer: inout CheckpointWriter) {
        writer.write(nodes.count)
        for node in nodes {
            writer.write(node.group)
            writer.write(node.edgeNode)
            writer.write(node.isBorn)
            writer.write(node.birthSequence) { $0.write($1) }
            writer.write(UInt64(node.sequence.latest))
            let seen = node.sequence.seen
            for word in [seen.0, seen.1, seen.2, seen.3] { writer.write(word) }
            writer.write(node.lastMessageMillis)
            writer.write(node.devices.count)
            for device in node.devices {
                writer.write(device.id)
                writer.write(device.isBorn)
            }
            writer.write(node.metrics.count)
            for metric in node.metrics {
                writer.write(Int(metric.device))
                writer.write(metric.name)
                writer.write(metric.alias) { $0.write($1) }
                writer.write(UInt64(metric.datatype))
            }
        }
    }

    init(from reader: inout CheckpointReader) throws(CheckpointError) {
        self.init()
        for _ in 0..<(try reader.readCount(minimumItemBytes: 70)) {
            var node = SparkplugNode(
                group: try reader.readString(), edgeNode: try reader.readString(), receivedMillis: .min)
            node.isBorn = try reader.readBool()
            node.birthSequence = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in
                try reader.readUInt64()
            }
            let latest = try reader.readUInt64()
            guard latest <= 255 else { throw .invalid("Sparkplug B seq \(latest) above 255", offset: reader.offset) }
            let seen = (try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64())
            node.sequence = SparkplugSequence(latest: UInt8(latest), seen: seen)
            node.lastMessageMillis = try reader.readInt64()
            var devices: [(id: String, isBorn: Bool)] = []
            for _ in 0..<(try reader.readCount(minimumItemBytes: 9)) {
                devices.append((try reader.readString(), try reader.readBool()))
            }
            guard !devices.isEmpty else { throw .invalid("a Sparkplug B node without its own device", offset: reader.offset) }
            var metrics: [SparkplugBirthMetric] = []
            for _ in 0..<(try reader.readCount(minimumItemBytes: 25)) {
                let device = try reader.readInt()
                guard (0..<devices.count).contains(device) else {
                    throw .invalid("a Sparkplug B metric of device \(device) of \(devices.count)", offset: reader.offset)
                }
                let name = try reader.readString()
                let alias = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in
                    try reader.readUInt64()
                }
                let datatype = try reader.readUInt64()
                guard datatype <= UInt64(UInt32.max) else {
                    throw .invalid("Sparkplug B datatype \(datatype)", offset: reader.offset)
                }
                metrics.append(SparkplugBirthMetric(device: Int32(device), name: name, alias: alias, datatype: UInt32(datatype)))
            }
            node.restore(devices: devices, metrics: metrics)
            _ = add(node)
        }
    }
}
