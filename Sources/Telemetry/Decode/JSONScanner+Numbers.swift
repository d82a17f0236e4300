// Numbers for JSONScanner: the JSON number grammar, `ts` and `seq`.
//
// Numbers take Clinger's fast path (≤ 15 significant digits and a power of ten ≤ 22 are both
// exact doubles, so one multiplication or division rounds correctly); anything longer goes to
// the standard library's correctly rounded parser, so results equal `Double(String)` always.

extension JSONScanner {
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
            && (index == bytes.count || !Self.continuesNumber(bytes[index]))
        {
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
}
