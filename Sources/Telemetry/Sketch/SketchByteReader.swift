/// Reads the primitives of the sketch encoding from untrusted bytes: every read checks the
/// length left and throws `.truncated` instead of reading past the end.
struct SketchByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws(QuantileSketchDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An IEEE 754 binary64, little-endian.
    mutating func double() throws(QuantileSketchDecodingError) -> Double {
        guard bytes.count - offset >= 8 else { throw .truncated(offset: offset) }
        var pattern: UInt64 = 0
        for index in 0..<8 {
            pattern |= UInt64(bytes[offset + index]) << (8 * index)
        }
        offset += 8
        return Double(bitPattern: pattern)
    }

    /// An unsigned LEB128 varint of at most 10 bytes whose value fits 64 bits.
    mutating func varint() throws(QuantileSketchDecodingError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let byte = try byte()
            let payload = UInt64(byte & 0x7F)
            // The tenth byte holds bit 63 only.
            guard shift < 63 || payload <= 1 else { throw .invalidVarint(offset: start) }
            value |= payload << shift
            if byte & 0x80 == 0 { return value }
        }
        throw .invalidVarint(offset: start)
    }

    /// A varint that must be at most `limit`, as an `Int`; `field` names it in the error.
    mutating func varint(atMost limit: Int, field: String) throws(QuantileSketchDecodingError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(limit) else { throw .outOfRange(field: field, offset: start) }
        return Int(value)
    }
}

/// Writes the primitives of the sketch encoding.
struct SketchByteWriter {
    private(set) var bytes: [UInt8] = []

    /// A writer with room for `capacity` bytes, so that a typical encoding allocates once.
    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func double(_ value: Double) {
        let pattern = value.bitPattern
        for index in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: pattern >> (8 * index)))
        }
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
