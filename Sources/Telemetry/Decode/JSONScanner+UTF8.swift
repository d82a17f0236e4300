// UTF-8 validation for JSONScanner: RFC 8259 requires JSON text to be UTF-8, and a string with
// invalid bytes would otherwise reach names and states as U+FFFD, merging different byte
// sequences into one name. Only tokens holding a byte ≥ 0x80 are checked, so ASCII payloads
// pay nothing beyond one OR per eight string bytes.

extension JSONScanner {
    /// The offset of the first byte in `start..<end` that is not part of well-formed UTF-8
    /// (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or
    /// `nil` when the range is valid. O(end − start).
    func firstInvalidUTF8(from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, secondLow) = (3, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, secondHigh) = (3, 0x9F)
            case 0xF0: (length, secondLow) = (4, 0x90)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, secondHigh) = (4, 0x8F)
            default: return index
            }
            guard index + length <= end else { return index }
            let second = bytes[index + 1]
            guard second >= secondLow && second <= secondHigh else { return index }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}
