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
        var writer = SketchByteWriter()
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
        // Runs as [start, end) index ranges of `counts`, split before 3 or more zeros.
        var runs: [Range<Int>] = []
        var start = 0
        var index = 0
        let counts = bins.counts
        while index < counts.count {
            if counts[index] == 0 {
                var zeros = index
                while counts[zeros] == 0 { zeros += 1 }  // the last count is never 0
                if zeros - index >= 3 {
                    runs.append(start..<index)
                    start = zeros
                }
                index = zeros
            } else {
                index += 1
            }
        }
        if !counts.isEmpty { runs.append(start..<counts.count) }
        writer.varint(UInt64(runs.count))
        var previousEnd = 0
        for (number, run) in runs.enumerated() {
            if number == 0 {
                let key = Int64(bins.lowestKey) + Int64(run.lowerBound)
                writer.varint(UInt64(bitPattern: (key << 1) ^ (key >> 63)))
            } else {
                writer.varint(UInt64(run.lowerBound - previousEnd))
            }
            writer.varint(UInt64(run.count))
            for count in counts[run] { writer.varint(count) }
            previousEnd = run.upperBound
        }
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
