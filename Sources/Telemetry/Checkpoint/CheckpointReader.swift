/// Reads what `CheckpointWriter` wrote; every read checks the bounds, so a damaged checkpoint
/// is an error, never a crash.
public struct CheckpointReader {
    private let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt64() throws(CheckpointError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw .truncated(offset: offset) }
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += 8
        return value
    }

    public mutating func readInt64() throws(CheckpointError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    /// Reads a value written by `CheckpointWriter.writeVarint`.
    public mutating func readVarint() throws(CheckpointError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .truncated(offset: offset) }
            let byte = bytes[offset]
            offset += 1
            guard shift < 63 || (shift == 63 && byte <= 1) else { throw .invalid("a varint beyond 64 bits", offset: start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }
    public mutating func readDouble() throws(CheckpointError) -> Double { Double(bitPattern: try readUInt64()) }

    public mutating func readInt() throws(CheckpointError) -> Int {
        let value = try readInt64()
        guard let int = Int(exactly: value) else { throw .invalid("integer \(value) out of range", offset: offset) }
        return int
    }

    /// A count of following items, checked against the bytes left so a damaged length cannot
    /// make a reader allocate without bound.
    public mutating func readCount(minimumItemBytes: Int = 1) throws(CheckpointError) -> Int {
        let count = try readInt()
        guard count >= 0, count <= (bytes.count - offset) / max(1, minimumItemBytes) else {
            throw .invalid("count \(count) larger than the checkpoint", offset: offset)
        }
        return count
    }

    public mutating func readBool() throws(CheckpointError) -> Bool {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        switch bytes[offset] {
        case 0: return false
        case 1: return true
        default: throw .invalid("boolean byte \(bytes[offset])", offset: offset)
        }
    }

    public mutating func readString() throws(CheckpointError) -> String {
        let count = try readCount()
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    /// Reads an optional written by `CheckpointWriter.write(_:_:)`.
    public mutating func readOptional<Value>(
        _ body: (inout CheckpointReader) throws(CheckpointError) -> Value
    ) throws(CheckpointError) -> Value? {
        try readBool() ? try body(&self) : nil
    }
}
