/// The fuzz input read as a stream of choices for `PipelineProgram`.
///
/// Every call takes the next byte(s); past the end it yields zeros, so any byte string is a
/// valid program and libFuzzer's mutations (insert, erase, change a byte) keep most of a
/// program's structure: a changed byte changes one choice, not the meaning of all the rest.
struct ProgramReader {
    private let bytes: [UInt8]
    /// Index of the next byte to read; never beyond `bytes.count`.
    private(set) var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// True once every input byte has been read.
    var isAtEnd: Bool { position >= bytes.count }

    /// The next byte, or 0 past the end.
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// Two bytes, little-endian.
    mutating func uint16() -> UInt16 {
        let low = UInt16(byte())
        return low | UInt16(byte()) << 8
    }

    /// Eight bytes, little-endian.
    mutating func uint64() -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            value |= UInt64(byte()) << UInt64(shift)
        }
        return value
    }

    /// Up to `count` of the next bytes, fewer at the end of the input (raw payloads).
    mutating func bytes(upTo count: Int) -> [UInt8] {
        let end = min(bytes.count, position + max(0, count))
        defer { position = end }
        return Array(bytes[position..<end])
    }
}
