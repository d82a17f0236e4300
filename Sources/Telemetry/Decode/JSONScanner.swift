// The byte-level half of PayloadDecoder: tokens of RFC 8259 JSON over a borrowed buffer.
// Strings and values here, numbers in JSONScanner+Numbers.swift.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A string token's position in the payload; decoded to a `String` only when needed.
struct StringToken: Equatable {
    var start: Int
    var end: Int
    var hasEscapes: Bool

    /// The token's raw bytes (escapes not resolved) inside `payload`, the buffer it was read from.
    func bytes(in payload: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: payload[start..<end])
    }
}

/// Reads JSON tokens from a payload; the buffer must outlive the scanner.
struct JSONScanner {
    /// The payload; read here and by the `JSONScanner+…` extensions only.
    let bytes: UnsafeRawBufferPointer
    /// The next byte to read; moved here and by the `JSONScanner+…` extensions only.
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    mutating func advance() {
        position += 1
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func unexpected(_ expected: String) -> PayloadError {
        guard let byte = peek() else {
            return .malformed("payload ends early: expected \(expected)")
        }
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return .malformed("expected \(expected) at byte \(position), found \(shown)")
    }

    // MARK: Strings

    /// Reads a string token starting at the current `"`, validating escapes and control bytes.
    mutating func readStringToken() throws(PayloadError) -> StringToken {
        guard consume(UInt8(ascii: "\"")) else { throw unexpected("a string") }
        let start = position
        var hasEscapes = false
        // Any byte ≥ 0x80 seen (possibly beyond the token, which only costs a check).
        var highBits: UInt64 = 0
        while position < bytes.count {
            highBits |= skipPlainStringBytes()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if highBits != 0, let invalid = firstInvalidUTF8(from: start, to: position) {
                    throw .malformed("invalid UTF-8 at byte \(invalid) inside a string (JSON text must be UTF-8)")
                }
                let token = StringToken(start: start, end: position, hasEscapes: hasEscapes)
                position += 1
                return token
            }
            if byte < 0x20 {
                throw .malformed("control character 0x\(String(byte, radix: 16)) inside a string at byte \(position)")
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 1
                guard position < bytes.count else { break }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < bytes.count else {
                        throw .malformed("truncated \\u escape at byte \(position - 1)")
                    }
                    for offset in 1...4 where Self.hexValue(bytes[position + offset]) == nil {
                        throw .malformed("bad \\u escape at byte \(position - 1)")
                    }
                    position += 5
                default:
                    throw .malformed("bad escape '\\\(Character(Unicode.Scalar(bytes[position])))' at byte \(position - 1)")
                }
                continue
            }
            highBits |= UInt64(byte & 0x80)
            position += 1
        }
        throw .malformed("unterminated string starting at byte \(start - 1)")
    }

    /// Moves past the string bytes that need no attention — all but `"`, `\\` and control
    /// bytes — eight at a time. Each test below sets the top bit of a byte that matches (and
    /// may also set it in bytes above the first match, never below), so the lowest set bit
    /// marks the first byte of interest. Returns the top bits of every word it looked at:
    /// nonzero if one of them held a byte ≥ 0x80 (a non-ASCII character to validate).
    @inline(__always)
    private mutating func skipPlainStringBytes() -> UInt64 {
        var seenHighBits: UInt64 = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while position + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (word &- ones &* 0x20) & ~word
            let matches = (zeroQuote | zeroBackslash | control) & highBits
            seenHighBits |= word & highBits
            if matches != 0 {
                position += matches.trailingZeroBitCount / 8
                return seenHighBits
            }
            position += 8
        }
        return seenHighBits
    }

    /// Reads an object member's name and the `:` after it, with the whitespace around both.
    mutating func readKey() throws(PayloadError) -> StringToken {
        skipWhitespace()
        let key = try readStringToken()
        skipWhitespace()
        guard consume(UInt8(ascii: ":")) else { throw unexpected("':'") }
        skipWhitespace()
        return key
    }

    /// True when two tokens name the same text, byte for byte once escapes are resolved.
    func sameName(_ first: StringToken, _ second: StringToken) -> Bool {
        guard first.hasEscapes || second.hasEscapes else {
            let count = first.end - first.start
            guard count == second.end - second.start else { return false }
            guard count > 0, let base = bytes.baseAddress else { return true }
            return memcmp(base + first.start, base + second.start, count) == 0
        }
        return Name.bytesEqual(string(from: first), string(from: second))
    }

    /// 0…63 from the token's raw bytes (its first and last eight, and its length): equal raw
    /// names give equal bits. O(1).
    @inline(__always)
    func filterBit(of token: StringToken) -> Int {
        let count = token.end - token.start
        var word = UInt64(truncatingIfNeeded: count)
        if count >= 8 {
            word ^= bytes.loadUnaligned(fromByteOffset: token.start, as: UInt64.self)
            let last = bytes.loadUnaligned(fromByteOffset: token.end - 8, as: UInt64.self)
            word ^= last << 29 | last >> 35
        } else if token.start + 8 <= bytes.count {
            // A short name is followed by its quote and more: one load, the name's bytes kept.
            let mask: UInt64 = (1 << UInt64(count * 8)) &- 1
            word ^= bytes.loadUnaligned(fromByteOffset: token.start, as: UInt64.self) & mask
        } else {
            // The same word as the load above, byte by byte (little-endian).
            for index in token.start..<token.end { word ^= UInt64(bytes[index]) << UInt64(8 * (index - token.start)) }
        }
        return Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// True when the token's text is exactly `literal`. A name with escapes is compared after
    /// resolving them (`"valu\u0065s"` is `values` in JSON), the others byte for byte.
    func tokenEquals(_ token: StringToken, _ literal: StaticString) -> Bool {
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if token.hasEscapes {
            return string(from: token).utf8.elementsEqual(expected)
        }
        guard token.end - token.start == literal.utf8CodeUnitCount else { return false }
        return UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end]).elementsEqual(expected)
    }

    /// The token's text with escapes resolved; invalid UTF-8 becomes U+FFFD.
    func string(from token: StringToken) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = 0
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var unit = Self.hex4(raw, at: index)
                index += 4
                if (0xD800..<0xDC00).contains(unit), index + 5 < raw.count,
                    raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                {
                    let low = Self.hex4(raw, at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                flush()
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default: utf8.append(escape)  // \" \\ \/
            }
        }
        flush()
        return String(scalars)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Four hex digits already validated by `readStringToken`.
    private static func hex4(_ raw: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | (hexValue(raw[index + offset]) ?? 0) }
        return value
    }

    // MARK: Values

    /// Reads one value; objects and arrays are validated, skipped and reported as `.composite`.
    /// A string stays a token: nothing is allocated.
    mutating func readValue() throws(PayloadError) -> ScannedValue {
        switch peek() {
        case UInt8(ascii: "\""):
            return .string(try readStringToken())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipComposite(depth: 1)
            return .composite
        case nil:
            throw unexpected("a value")
        default:
            return .number(try readNumber().value)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(PayloadError) {
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        guard position + count <= bytes.count,
            UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]).elementsEqual(expected)
        else {
            throw .malformed("invalid literal at byte \(position); expected \(literal)")
        }
        position += count
    }

    /// Skips a nested object or array, checking its syntax, to at most `PayloadDecoder.maxDepth`.
    private mutating func skipComposite(depth: Int) throws(PayloadError) {
        guard depth <= PayloadDecoder.maxDepth else {
            throw .malformed("nesting deeper than \(PayloadDecoder.maxDepth) levels at byte \(position)")
        }
        let isObject = peek() == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        position += 1
        skipWhitespace()
        if consume(close) { return }
        while true {
            skipWhitespace()
            if isObject {
                _ = try readKey()
            }
            if peek() == UInt8(ascii: "{") || peek() == UInt8(ascii: "[") {
                try skipComposite(depth: depth + 1)
            } else {
                _ = try readValue()
            }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(close) else { throw unexpected(isObject ? "',' or '}'" : "',' or ']'") }
            return
        }
    }
}
