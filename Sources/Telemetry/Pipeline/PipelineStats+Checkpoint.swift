extension PipelineStats {
    /// Writes the running totals for a checkpoint, so counts continue across a crash.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(messages)
        writer.write(readingsAccepted)
        writer.write(seqMissing)
        writer.write(seqRestarts)
        writer.write(rollupsWritten)
        writer.write(quarantined.count)
        for (reason, count) in quarantined.sorted(by: { $0.key < $1.key }) {
            writer.write(reason.rawValue)
            writer.write(count)
        }
    }

    /// Reads totals written by `encode(to:)`.
    init(from reader: inout CheckpointReader) throws(CheckpointError) {
        self.init()
        messages = try reader.readInt()
        readingsAccepted = try reader.readInt()
        seqMissing = try reader.readInt64()
        seqRestarts = try reader.readInt()
        rollupsWritten = try reader.readInt()
        for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
            let name = try reader.readString()
            guard let reason = QuarantineReason(rawValue: name) else {
                throw .invalid("unknown quarantine reason \(name)", offset: reader.offset)
            }
            quarantined[reason] = try reader.readInt()
        }
    }
}
