// The byte-level half of PayloadDecoder: tokens of RFC 8259 JSON over a borrowed buffer.
//
// Numbers take Clinger's fast path (≤ 15 significant digits and a power of ten ≤ 22 are both
// exact doubles, so one multiplication or division rounds correctly); anything longer goes to
// the standard library's correctly rounded parser, so results equal `Double(String)` always.

/// A string token's position in the payload; decoded to a `String` only when needed.
struct StringToken {
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
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

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
        while position < bytes.count {
            skipPlainStringBytes()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
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
            position += 1
        }
        throw .malformed("unterminated string starting at byte \(start - 1)")
    }

    /// Moves past the string bytes that need no attention — all but `"`, `\\` and control
    /// bytes — eight at a time. Each test below sets the top bit of a byte that matches (and
    /// may also set it in bytes above the first match, never below), so the lowest set bit
    /// marks the first byte of interest.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
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
            if matches != 0 {
                position += matches.trailingZeroBitCount / 8
                return
            }
            position += 8
        }
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
                   raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") {
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

    // MARK: Numbers

    /// A JSON number with, when it is a plain integer that fits, its exact integer value.
    struct NumberToken {
        var value: Double
        var integer: UInt64?
        var isNegative: Bool
    }

    /// 10^exponent for 0 ≤ exponent ≤ 22, all exact doubles (5²² < 2⁵³). A switch rather than
    /// a static array: no lazy-initialisation check on every number.
    private static func exactPowerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// Reads a number per the JSON grammar (no leading zeros, no `+`, no NaN/Infinity).
    ///
    /// Up to 19 significant digits are gathered into a `UInt64` (19 nines < 2⁶⁴, so the
    /// wrapping arithmetic never wraps); leading zeros of a fraction only move the exponent.
    mutating func readNumber() throws(PayloadError) -> NumberToken {
        let start = position
        let end = bytes.count
        var index = position
        let isNegative = index < end && bytes[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var decimalExponent = 0

        guard index < end, Self.digit(bytes[index]) <= 9 else { throw .malformed("invalid number at byte \(start)") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, Self.digit(bytes[index]) <= 9 { throw .malformed("number with a leading zero at byte \(start)") }
        } else {
            while index < end {
                let digit = Self.digit(bytes[index])
                if digit > 9 { break }
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                } else {
                    droppedDigits = true
                    decimalExponent += 1
                }
                index += 1
            }
        }
        var isInteger = true
        if index < end, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < end, Self.digit(bytes[index]) <= 9 else {
                throw .malformed("a digit must follow '.' at byte \(index)")
            }
            while index < end {
                let digit = Self.digit(bytes[index])
                if digit > 9 { break }
                if significantDigits == 0 && digit == 0 {
                    decimalExponent -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                    decimalExponent -= 1
                } else {
                    droppedDigits = true
                }
                index += 1
            }
        }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, Self.digit(bytes[index]) <= 9 else {
                throw .malformed("a digit must follow the exponent at byte \(index)")
            }
            var exponent = 0
            while index < end {
                let digit = Self.digit(bytes[index])
                if digit > 9 { break }
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                index += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        position = index

        let integer = isInteger && !droppedDigits && !isNegative ? mantissa : nil
        if !droppedDigits && significantDigits <= 15 && abs(decimalExponent) <= 22 {
            let magnitude: Double
            if decimalExponent == 0 {
                magnitude = Double(mantissa)
            } else if decimalExponent > 0 {
                magnitude = Double(mantissa) * Self.exactPowerOfTen(decimalExponent)
            } else {
                magnitude = Double(mantissa) / Self.exactPowerOfTen(-decimalExponent)
            }
            return NumberToken(value: isNegative ? -magnitude : magnitude, integer: integer, isNegative: isNegative)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw .malformed("invalid number \(text) at byte \(start)") }
        return NumberToken(value: value, integer: integer, isNegative: isNegative)
    }

    /// The value of an ASCII digit; above 9 for any other byte.
    @inline(__always)
    private static func digit(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "0")
    }

    /// Reads a non-negative integer such as `seq`.
    mutating func readUnsignedInteger(name: String) throws(PayloadError) -> UInt64 {
        let start = position
        guard let byte = peek(), byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
            throw .malformed("\"\(name)\" must be a non-negative integer (byte \(start))")
        }
        let number = try readNumber()
        if let integer = number.integer { return integer }
        // 20-digit values (10^19 up to 2^64 − 1) overflow the 19-digit mantissa: read them exactly.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard !number.isNegative, let integer = UInt64(text) else {
            throw .malformed("\"\(name)\" must be a non-negative integer below 2^64 (byte \(start))")
        }
        return integer
    }

    /// Reads `ts`: an integer count of milliseconds since 1970-01-01T00:00:00Z.
    mutating func readTimestamp() throws(PayloadError) -> Int64 {
        let start = position
        // Every valid `ts` is a run of at most 16 digits (2⁵³ has 16) without a leading zero,
        // ended by a byte that cannot continue a number: read it without the number grammar.
        var index = start
        var value: Int64 = 0
        while index < bytes.count, index - start <= 16 {
            let digit = Self.digit(bytes[index])
            if digit > 9 { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let digits = index - start
        if digits >= 1 && digits <= 16 && (digits == 1 || bytes[start] != UInt8(ascii: "0")) && value < 1 << 53
            && (index == bytes.count || !Self.continuesNumber(bytes[index])) {
            position = index
            return value
        }
        guard let byte = peek(), byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
            throw .malformed("\"ts\" must be an integer of milliseconds since 1970 (byte \(start))")
        }
        let number = try readNumber()
        guard let integer = number.integer, integer < 1 << 53 else {
            throw .malformed("\"ts\" must be a non-negative integer of milliseconds since 1970 (byte \(start))")
        }
        return Int64(integer)
    }

    /// Whether `byte` after a run of digits would make it a longer or non-integer number.
    private static func continuesNumber(_ byte: UInt8) -> Bool {
        digit(byte) <= 9 || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
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
              UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]).elementsEqual(expected) else {
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
