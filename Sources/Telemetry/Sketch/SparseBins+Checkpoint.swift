extension SparseBins {
    /// Writes the bins for a checkpoint: whether they collapsed, their number, then each key and
    /// count. Plain fixed-width fields rather than the compact encoding of `QuantileSketch`: a
    /// checkpoint writes every open gauge window's bins every few seconds, and this costs a
    /// copy of 16 bytes per bin.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(isCollapsed)
        writer.write(bins.count)
        for bin in bins {
            writer.write(Int64(bin.key))
            writer.write(bin.count)
        }
    }

    /// Reads bins written by `encode(to:)`; they must be non-empty counts of keys within
    /// `keys`, strictly ascending, spanning at most `limit` keys (so a damaged checkpoint
    /// cannot make a sketch that breaks the collapsing rule).
    init(from reader: inout CheckpointReader, keys: ClosedRange<Int>, limit: Int) throws(CheckpointError) {
        self.init()
        isCollapsed = try reader.readBool()
        let count = try reader.readCount(minimumItemBytes: 16)
        bins.reserveCapacity(count)
        for _ in 0..<count {
            let offset = reader.offset
            let key = try reader.readInt64()
            let binCount = try reader.readUInt64()
            guard keys.contains(Int(key)), binCount > 0, bins.last.map({ Int64($0.key) < key }) ?? true,
                bins.first.map({ key - Int64($0.key) < Int64(limit) }) ?? true
            else {
                throw .invalid("a quantile sketch bin (key \(key), count \(binCount)) out of order or range", offset: offset)
            }
            bins.append(Bin(key: Int32(truncatingIfNeeded: key), count: binCount))
        }
    }

    /// The sum of the counts, held at `UInt64.max`.
    var total: UInt64 { bins.reduce(0) { $0.addingSaturated($1.count) } }
}
