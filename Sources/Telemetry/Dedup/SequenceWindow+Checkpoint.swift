extension SequenceWindow {
    /// Writes the remembered sequence numbers for a checkpoint (`start` is written separately by
    /// `encodeStart`, after the format-2 fields, so that a format-2 checkpoint still restores).
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
        // A format-2 checkpoint has no start: take the highest, so that nothing below it can
        // count as a filled gap (the missing count may then stay too high, never negative).
        self.start = highest
    }

    /// Writes `start`, in the section of the pipeline state that follows the format-2 fields.
    func encodeStart(to writer: inout CheckpointWriter) {
        writer.write(start)
    }

    /// Reads what `encodeStart(to:)` wrote.
    mutating func decodeStart(from reader: inout CheckpointReader) throws(CheckpointError) {
        start = try reader.readUInt64()
    }
}
