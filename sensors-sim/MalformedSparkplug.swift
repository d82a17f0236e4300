/// The payloads a `malformed_payload` fault sends on a DDATA topic with `--format sparkplug`: bytes
/// that no protobuf decoder reads as a Sparkplug B `Payload`, so the gateway quarantines the
/// whole message. Each is invalid by construction, not by chance: a protobuf message cut at a
/// field boundary is still a valid, shorter message, so truncation cuts inside a field.
enum MalformedSparkplug: CaseIterable, Sendable {
    /// A DDATA payload whose last metric (a length-delimited field) is cut short: its length
    /// prefix promises more bytes than are left.
    case truncated
    /// `0x0F` (field 1 with wire type 7, which does not exist) and 4–32 random bytes.
    case invalidWireType
    /// `0x08` (the timestamp, a varint) followed by a varint of 12 bytes, over protobuf's 10.
    case overlongVarint

    /// Writes this kind of payload. `wellFormed` is the DDATA payload `truncated` cuts, whose
    /// last field is a metric; `lastMetricBytes` is how many bytes that field takes, tag and
    /// length prefix included.
    func bytes(wellFormed: [UInt8], lastMetricBytes: Int, random: inout SeededGenerator) -> [UInt8] {
        switch self {
        case .truncated:
            let content = Self.contentLength(ofFieldBytes: lastMetricBytes)
            guard content > 0, wellFormed.count >= lastMetricBytes else { return [0x12, 0x05, 0x08] }
            return Array(wellFormed.dropLast(1 + random.below(content)))
        case .invalidWireType:
            var bytes: [UInt8] = [0x0F]
            for _ in 0..<(4 + random.below(29)) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
            return bytes
        case .overlongVarint:
            return [0x08] + Array(repeating: 0xFF, count: 11) + [0x01]
        }
    }

    /// The content length of a length-delimited field of field number below 16 (a 1-byte tag)
    /// that takes `fieldBytes` bytes in all: what is left after the tag and the varint length.
    static func contentLength(ofFieldBytes fieldBytes: Int) -> Int {
        for prefix in 1...10 {
            let content = fieldBytes - 1 - prefix
            if content >= 0 && varintSize(UInt64(content)) == prefix { return content }
        }
        return 0
    }

    /// How many bytes the varint of `value` takes.
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }
}
