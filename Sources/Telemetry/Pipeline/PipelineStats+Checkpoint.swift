extension PipelineStats {
    /// Writes the running totals for a checkpoint, so counts continue across a crash.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(messages)
        writer.write(readingsAccepted)
        writer.write(seqMissing)
        writer.write(seqRestarts)
        writer.write(rollupsWritten)
        writer.write(redeliveredMessages)
        writer.write(redeliveredReadings)
        writer.write(seqMissingByDevice.count)
        let byDevice = seqMissingByDevice.sorted { $0.key < $1.key }  // byte order: equal totals, equal bytes
        for (device, missing) in byDevice {
            writer.write(device.park)
            writer.write(device.site)
            writer.write(device.device)
            writer.write(missing)
        }
        writer.write(quarantined.count)
        for (reason, count) in quarantined.sorted(by: { $0.key < $1.key }) {
            writer.write(reason.rawValue)
            writer.write(count)
        }
        // Format 3 on.
        writer.write(quarantinedByDevice.count)
        for (device, count) in quarantinedByDevice.sorted(by: { $0.key < $1.key }) {
            writer.write(device.park)
            writer.write(device.site)
            writer.write(device.device)
            writer.write(count)
        }
    }

    /// Reads totals written by `encode(to:)` in checkpoint format `format` (a format-2 state has
    /// no `quarantinedByDevice`, which then starts empty).
    init(from reader: inout CheckpointReader, format: UInt64) throws(CheckpointError) {
        self.init()
        messages = try reader.readInt()
        readingsAccepted = try reader.readInt()
        seqMissing = try reader.readInt64()
        seqRestarts = try reader.readInt()
        rollupsWritten = try reader.readInt()
        redeliveredMessages = try reader.readInt()
        redeliveredReadings = try reader.readInt()
        for _ in 0..<(try reader.readCount(minimumItemBytes: 32)) {
            let park = try reader.readString()
            let site = try reader.readString()
            let device = DeviceKey(park: park, site: site, device: try reader.readString())
            seqMissingByDevice[device] = try reader.readInt64()
        }
        for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
            let name = try reader.readString()
            guard let reason = QuarantineReason(rawValue: name) else {
                throw .invalid("unknown quarantine reason \(name)", offset: reader.offset)
            }
            quarantined[reason] = try reader.readInt()
        }
        guard format >= 3 else { return }
        for _ in 0..<(try reader.readCount(minimumItemBytes: 32)) {
            let park = try reader.readString()
            let site = try reader.readString()
            let device = DeviceKey(park: park, site: site, device: try reader.readString())
            quarantinedByDevice[device] = try reader.readInt()
        }
    }
}
