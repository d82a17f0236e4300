extension SparseBins {
    /// Writes the bins for a checkpoint: whether they collapsed, then, as varints, their number,
    /// the first key (zigzag), and each bin's count and the next key's distance from it. Compact
    /// since checkpoint format 8 (16 bytes a bin before): open windows' sketches are most of a
    /// large checkpoint (90 MB at 100,000 series under the load test, written about every
    /// second), and their keys are close together and their counts small.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(isCollapsed)
        writer.writeVarint(UInt64(bins.count))
        var previous: Int32?
        for bin in bins {
            if let previous {
                writer.writeVarint(UInt64(UInt32(bitPattern: bin.key &- previous)))
            } else {
                writer.writeVarint(UInt64(UInt32(bitPattern: (bin.key << 1) ^ (bin.key >> 31))))
            }
            writer.writeVarint(bin.count)
            previous = bin.key
        }
    }

    /// Reads bins written by `encode(to:)` in checkpoint format `format` (16-byte bins before
    /// format 8); they must be non-empty counts of keys within `keys`, strictly ascending,
    /// spanning at most `limit` keys (so a damaged checkpoint cannot make a sketch that breaks
    /// the collapsing rule).
    init(
        from reader: inout CheckpointReader, keys: ClosedRange<Int>, limit: Int, format: UInt64
    ) throws(CheckpointError) {
        self.init()
        isCollapsed = try reader.readBool()
        let compact = format >= CheckpointFile.compactSketchVersion
        let count = compact ? Int(clamping: try reader.readVarint()) : try reader.readCount(minimumItemBytes: 16)
        guard count <= limit else { throw .invalid("a quantile sketch of \(count) bins", offset: reader.offset) }
        bins.reserveCapacity(count)
        for _ in 0..<count {
            let offset = reader.offset
            let key: Int64
            let binCount: UInt64
            if compact {
                let raw = try reader.readVarint()
                guard let last = bins.last else {
                    let zigzag = UInt32(truncatingIfNeeded: raw)
                    key = Int64(Int32(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1))))
                    binCount = try reader.readVarint()
                    try append(key: key, count: binCount, keys: keys, limit: limit, offset: offset)
                    continue
                }
                guard raw <= UInt64(UInt32.max) else {
                    throw .invalid("a quantile sketch bin \(raw) keys after the previous", offset: offset)
                }
                key = Int64(last.key) + Int64(raw)
                binCount = try reader.readVarint()
            } else {
                key = try reader.readInt64()
                binCount = try reader.readUInt64()
            }
            try append(key: key, count: binCount, keys: keys, limit: limit, offset: offset)
        }
    }

    /// Appends a bin read from a checkpoint, checked to be in range, in order and non-empty.
    private mutating func append(
        key: Int64, count binCount: UInt64, keys: ClosedRange<Int>, limit: Int, offset: Int
    ) throws(CheckpointError) {
        guard keys.contains(Int(key)), binCount > 0, bins.last.map({ Int64($0.key) < key }) ?? true,
            bins.first.map({ key - Int64($0.key) < Int64(limit) }) ?? true
        else {
            throw .invalid("a quantile sketch bin (key \(key), count \(binCount)) out of order or range", offset: offset)
        }
        bins.append(Bin(key: Int32(truncatingIfNeeded: key), count: binCount))
    }

    /// The sum of the counts, held at `UInt64.max`.
    var total: UInt64 { bins.reduce(0) { $0.addingSaturated($1.count) } }
}
