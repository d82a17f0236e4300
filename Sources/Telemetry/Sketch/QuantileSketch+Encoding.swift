/// The compact binary encoding of a `QuantileSketch`, for rollup records (docs/formats.md,
/// "Quantile sketch encoding"). Version 1, byte by byte:
///
/// | bytes | field |
/// |---|---|
/// | 1 | version: `0x01` |
/// | 8 | α, IEEE 754 binary64, little-endian |
/// | varint | bin limit per sign, 1…16,384 |
/// | 1 | flags: bit 0 the positive bins collapsed, bit 1 the negative bins collapsed; other bits 0 |
/// | varint | zero count |
/// | bins | positive bins, keys ⌈log_γ v⌉ |
/// | bins | negative bins, keys ⌈log_γ abs(v)⌉ |
/// | 8 + 8 | minimum and maximum, binary64 little-endian; only when the count is not 0 |
///
/// `bins` is a varint number of runs, then each run: its first key (the first run: the key
/// itself, zigzag varint; a later run: the number of empty keys between the previous run's
/// last key and its first, varint ≥ 1), its length (varint ≥ 1), then one count per key (varint),
/// the first and last not 0. The encoder ends a run before three or more empty keys (two
/// cost as much as a new run's gap and length). Varints are unsigned LEB128, at most 10 bytes;
/// zigzag maps k to 2k (k ≥ 0) or −2k − 1. The count is the zero count plus all bin counts.
///
/// Keys are those of the reference (PyPI `ddsketch` 3.0.1, `LogarithmicMapping`, offset 0):
/// ceil, not the floor of sketches-go, which numbers the same bins one lower.
///
/// Decoding reads untrusted bytes: every length is checked before it is read, keys must lie in
/// the mapping's range, each sign's bins may span at most the bin limit (so decoding allocates
/// at most 16,384 counts per sign), counts add up saturating, and any violation throws a
/// `QuantileSketchDecodingError` naming the byte offset.
extension QuantileSketch {
    /// The encoding's version byte.
    static let encodingVersion: UInt8 = 1

    /// The compact binary encoding (see the extension's documentation).
    public func encoded() -> [UInt8] {
        // At most 1 + 8 + 3 + 1 + 10 bytes of header, 16 of min and max, and per sign the run
        // count, the key and the length; a count takes one byte while it is below 128.
        var writer = SketchByteWriter(capacity: 64 + positive.counts.count + negative.counts.count)
        writer.byte(Self.encodingVersion)
        writer.double(relativeAccuracy)
        writer.varint(UInt64(binLimit))
        writer.byte((positive.isCollapsed ? 1 : 0) | (negative.isCollapsed ? 2 : 0))
        writer.varint(zeroCount)
        Self.encode(positive, to: &writer)
        Self.encode(negative, to: &writer)
        if count > 0 {
            writer.double(lowest)
            writer.double(highest)
        }
        return writer.bytes
    }

    /// The text form for JSON lines: the encoding in padded standard base64 (RFC 4648 §4).
    public func encodedText() -> String {
        Base64.encode(encoded())
    }

    /// Decodes `encodedText()`'s output; throws `.invalidText` for anything but padded
    /// standard base64, and the binary form's errors after that.
    public init(encodedText text: String) throws(QuantileSketchDecodingError) {
        guard let bytes = Base64.decode(text) else { throw .invalidText }
        try self.init(encoded: bytes)
    }

    /// Decodes `encoded()`'s output; throws for anything else, without trapping and allocating
    /// at most `maximumBinLimit` counts per sign.
    public init(encoded bytes: [UInt8]) throws(QuantileSketchDecodingError) {
        var reader = SketchByteReader(bytes)
        let version = try reader.byte()
        guard version == Self.encodingVersion else { throw .unsupportedVersion(version) }
        let alphaOffset = reader.offset
        let alpha = try reader.double()
        let limitOffset = reader.offset
        guard Self.relativeAccuracyRange.contains(alpha) else {
            throw .outOfRange(field: "relative accuracy", offset: alphaOffset)
        }
        let limit = try reader.varint(atMost: Self.maximumBinLimit, field: "bin limit")
        guard limit >= 1 else { throw .outOfRange(field: "bin limit", offset: limitOffset) }
        self.init(checkedRelativeAccuracy: alpha, binLimit: limit)
        let flagsOffset = reader.offset
        let flags = try reader.byte()
        guard flags & ~3 == 0 else { throw .outOfRange(field: "flags", offset: flagsOffset) }
        zeroCount = try reader.varint()
        let keys = mapping.keyRange
        positive = try Self.decodeBins(from: &reader, keys: keys, limit: limit, collapsed: flags & 1 != 0)
        negative = try Self.decodeBins(from: &reader, keys: keys, limit: limit, collapsed: flags & 2 != 0)
        count = positive.total.addingSaturated(negative.total).addingSaturated(zeroCount)
        if count > 0 {
            let boundsOffset = reader.offset
            lowest = try reader.double()
            highest = try reader.double()
            guard lowest.isFinite, highest.isFinite, lowest <= highest else {
                throw .outOfRange(field: "minimum and maximum", offset: boundsOffset)
            }
        }
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.offset) }
    }

    private static func encode(_ bins: SketchBins, to writer: inout SketchByteWriter) {
        let counts = bins.counts
        var runCount = 0
        var start = 0
        while start < counts.count {
            runCount += 1
            start = nextRun(in: counts, after: runEnd(in: counts, from: start))
        }
        writer.varint(UInt64(runCount))
        start = 0
        while start < counts.count {
            let end = runEnd(in: counts, from: start)
            if start == 0 {
                let key = Int64(bins.lowestKey)
                writer.varint(UInt64(bitPattern: (key << 1) ^ (key >> 63)))
            }
            writer.varint(UInt64(end - start))
            for count in counts[start..<end] { writer.varint(count) }
            let next = nextRun(in: counts, after: end)
            if next < counts.count { writer.varint(UInt64(next - end)) }
            start = next
        }
    }

    /// The end of the run that starts at `start` (a non-zero count): before the first three
    /// or more consecutive zeros, or at the end of `counts` (whose last count is not zero).
    private static func runEnd(in counts: [UInt64], from start: Int) -> Int {
        var index = start
        while index < counts.count {
            guard counts[index] == 0 else {
                index += 1
                continue
            }
            var zeros = index
            while counts[zeros] == 0 { zeros += 1 }
            if zeros - index >= 3 { return index }
            index = zeros
        }
        return index
    }

    /// The start of the run after the one ending at `end`: the next non-zero count.
    private static func nextRun(in counts: [UInt64], after end: Int) -> Int {
        var index = end
        while index < counts.count, counts[index] == 0 { index += 1 }
        return index
    }

    private static func decodeBins(
        from reader: inout SketchByteReader, keys: ClosedRange<Int>, limit: Int, collapsed: Bool
    ) throws(QuantileSketchDecodingError) -> SketchBins {
        let runCount = try reader.varint(atMost: limit, field: "number of runs")
        var counts: [UInt64] = []
        var lowestKey = 0
        for number in 0..<runCount {
            let runOffset = reader.offset
            if number == 0 {
                let zigzag = try reader.varint()
                let key = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
                guard key >= Int64(keys.lowerBound), key <= Int64(keys.upperBound) else {
                    throw .outOfRange(field: "key", offset: runOffset)
                }
                lowestKey = Int(key)
            } else {
                let gap = try reader.varint(atMost: limit, field: "gap between runs")
                guard gap >= 1 else { throw .outOfRange(field: "gap between runs", offset: runOffset) }
                guard counts.count + gap < limit else { throw .spanExceedsBinLimit(offset: runOffset) }
                counts.append(contentsOf: repeatElement(0, count: gap))
            }
            let lengthOffset = reader.offset
            let length = try reader.varint(atMost: limit, field: "run length")
            guard length >= 1 else { throw .outOfRange(field: "run length", offset: lengthOffset) }
            guard counts.count + length <= limit else { throw .spanExceedsBinLimit(offset: runOffset) }
            guard lowestKey + counts.count + length - 1 <= keys.upperBound else {
                throw .outOfRange(field: "key", offset: runOffset)
            }
            let first = counts.count
            for _ in 0..<length { counts.append(try reader.varint()) }
            guard counts[first] > 0, counts[counts.count - 1] > 0 else { throw .emptyEdgeBin(offset: runOffset) }
        }
        guard !collapsed || counts.count == limit else { throw .inconsistentCollapse(offset: reader.offset) }
        return SketchBins(lowestKey: Int32(truncatingIfNeeded: lowestKey), counts: counts, isCollapsed: collapsed)
    }
}
