extension SequenceWindow {
    /// Writes the remembered sequence numbers for a checkpoint.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(hasHighest)
        writer.write(highest)
        writer.write(seen.count)
        for word in seen { writer.write(word) }
    }

    /// Reads a window written by `encode(to:)`.
    init(from reader: inout CheckpointReader) throws(CheckpointError) {
        let hasHighest = try reader.readBool()
        let highest = try reader.readUInt64()
        let words = try reader.readCount(minimumItemBytes: 8)
        self.init(capacity: max(1, words) * 64)
        self.hasHighest = hasHighest
        self.highest = highest
        for index in 0..<words { seen[index] = try reader.readUInt64() }
    }
}
