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
    mutating func readNumber() throws(PayloadError) -> NumberToken {
        let start = position
        let isNegative = consume(UInt8(ascii: "-"))
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var decimalExponent = 0

        func isDigit(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
        func accumulate(_ byte: UInt8) {
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if significantDigits == 0 && digit == 0 { return }
            if significantDigits < 19 {
                mantissa = mantissa * 10 + digit
                significantDigits += 1
            } else {
                droppedDigits = true
                decimalExponent += 1
            }
        }

        if consume(UInt8(ascii: "0")) {
            if isDigit(peek()) { throw .malformed("number with a leading zero at byte \(start)") }
        } else if isDigit(peek()) {
            while let byte = peek(), isDigit(byte) {
                accumulate(byte)
                position += 1
            }
        } else {
            throw .malformed("invalid number at byte \(start)")
        }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard isDigit(peek()) else { throw .malformed("a digit must follow '.' at byte \(position)") }
            while let byte = peek(), isDigit(byte) {
                let before = significantDigits
                accumulate(byte)
                if significantDigits > before || (significantDigits == 0) { decimalExponent -= 1 }
                position += 1
            }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            var exponentNegative = false
            if consume(UInt8(ascii: "-")) { exponentNegative = true } else { _ = consume(UInt8(ascii: "+")) }
            guard isDigit(peek()) else { throw .malformed("a digit must follow the exponent at byte \(position)") }
            var exponent = 0
            while let byte = peek(), isDigit(byte) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(byte - UInt8(ascii: "0")) }
                position += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }

        let integer = isInteger && !droppedDigits && !isNegative ? mantissa : nil
        if !droppedDigits && significantDigits <= 15 && abs(decimalExponent) <= 22 {
            let magnitude = decimalExponent >= 0
                ? Double(mantissa) * Self.exactPowerOfTen(decimalExponent)
                : Double(mantissa) / Self.exactPowerOfTen(-decimalExponent)
            return NumberToken(value: isNegative ? -magnitude : magnitude, integer: integer, isNegative: isNegative)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw .malformed("invalid number \(text) at byte \(start)") }
        return NumberToken(value: value, integer: integer, isNegative: isNegative)
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
        guard let byte = peek(), byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
            throw .malformed("\"ts\" must be an integer of milliseconds since 1970 (byte \(start))")
        }
        let number = try readNumber()
        guard let integer = number.integer, integer < 1 << 53 else {
            throw .malformed("\"ts\" must be a non-negative integer of milliseconds since 1970 (byte \(start))")
        }
        return Int64(integer)
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
