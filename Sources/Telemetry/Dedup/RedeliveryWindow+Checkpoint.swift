extension RedeliveryWindow {
    /// Writes the fingerprint key and the remembered arrivals, oldest first, for a checkpoint.
    /// O(capacity).
    func encode(to writer: inout CheckpointWriter) {
        writer.write(hasher.seed)
        writer.write(hasher.multiplier)
        let arrivals = arrivalsInOrder
        writer.write(arrivals.count)
        for entry in arrivals {
            writer.write(entry.fingerprint)
            writer.write(entry.messageNumber)
        }
    }

    /// Reads a window written by `encode(to:)` into one of `capacity` arrivals, keeping the
    /// newest when the checkpoint holds more (the window was made smaller in the config).
    init(from reader: inout CheckpointReader, capacity: Int) throws(CheckpointError) {
        let seed = try reader.readUInt64()
        let multiplier = try reader.readUInt64()
        self.init(capacity: capacity, hasher: ByteHash(seed: seed, multiplier: multiplier))
        var arrivals: [Entry] = []
        for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
            let fingerprint = try reader.readUInt64()
            arrivals.append(Entry(fingerprint: fingerprint, messageNumber: try reader.readInt64()))
        }
        for entry in arrivals.suffix(capacity) { record(entry.fingerprint, messageNumber: entry.messageNumber) }
    }
}
