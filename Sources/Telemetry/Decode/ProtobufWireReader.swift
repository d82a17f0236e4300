/// Reads the protobuf wire format (varints, fixed 32- and 64-bit values, length-delimited
/// fields) from a range of a buffer, checking every length against the bytes that remain.
/// Any bytes are safe input: a read past the end throws, and no arithmetic can overflow
/// (positions stay within the buffer, lengths are compared before they are added).
struct ProtobufWireReader {
    /// How a field's value is encoded, from the low three bits of its tag.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// What went wrong, for a quarantine detail.
    enum Failure: Error, Equatable {
        /// The field that was being read runs past the end of its message.
        case truncated(at: Int)
        /// A tag with field number 0, a wire type that does not exist, a group, or a varint of
        /// more than 10 bytes.
        case malformed(at: Int)
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    /// A field's tag: its number and wire type. Groups (deprecated, not in Sparkplug) are refused.
    mutating func tag() throws(Failure) -> (field: UInt64, wire: WireType) {
        let start = position
        let tag = try varint()
        guard tag >> 3 != 0, let wire = WireType(rawValue: tag & 7), wire != .startGroup, wire != .endGroup else {
            throw .malformed(at: start)
        }
        return (tag >> 3, wire)
    }

    /// A base-128 varint of at most 10 bytes; bits beyond the 64th are dropped, as protobuf does.
    mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < end else { throw .truncated(at: start) }
            let byte = bytes[position]
            position += 1
            if shift < 64 { result |= UInt64(byte & 0x7F) << shift }
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift < 70 else { throw .malformed(at: start) }
        }
    }

    /// A little-endian fixed 32-bit value.
    mutating func fixed32() throws(Failure) -> UInt32 {
        guard end - position >= 4 else { throw .truncated(at: position) }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[position + index]) << (8 * UInt32(index)) }
        position += 4
        return value
    }

    /// A little-endian fixed 64-bit value.
    mutating func fixed64() throws(Failure) -> UInt64 {
        guard end - position >= 8 else { throw .truncated(at: position) }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += 8
        return value
    }

    /// The range of a length-delimited field's bytes, which the reader moves past.
    mutating func lengthDelimited() throws(Failure) -> Range<Int> {
        let start = position
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated(at: start) }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Moves past a field's value of wire type `wire`.
    mutating func skip(_ wire: WireType) throws(Failure) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup, .endGroup: throw .malformed(at: position)
        }
    }
}
