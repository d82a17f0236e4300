/// Formats epoch milliseconds as ISO 8601 UTC (`2026-11-21T08:01:00.000Z`) without Foundation,
/// and reads that form back.
///
/// Uses Howard Hinnant's days-to-civil algorithm; valid for years 0…9999.
public enum UTCTimestamp {
    /// Appends the 24-byte form of `millis` to `bytes`.
    public static func append(millis: Int64, to bytes: inout [UInt8]) {
        let millisPerDay: Int64 = 86_400_000
        var days = millis / millisPerDay
        var rest = millis % millisPerDay
        if rest < 0 {
            rest += millisPerDay
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        appendDigits(year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(rest / 3_600_000, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(rest / 60_000 % 60, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(rest / 1000 % 60, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(rest % 1000, count: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The formatted timestamp as a string (for logs and tools).
    public static func string(millis: Int64) -> String {
        var bytes: [UInt8] = []
        append(millis: millis, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The epoch milliseconds of exactly the 24-byte form `append` writes
    /// (`2026-11-21T08:01:00.000Z`), or nil for anything else, an impossible date included. The
    /// inverse of `append` (Hinnant's days-from-civil), for reading a log line's times without
    /// Foundation or a JSON parser.
    public static func millis<Bytes: RandomAccessCollection>(parsing bytes: Bytes) -> Int64?
    where Bytes.Element == UInt8 {
        guard bytes.count == 24 else { return nil }
        var index = bytes.startIndex
        func number(_ count: Int, then separator: UInt8?) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                let digit = bytes[index]
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(digit - UInt8(ascii: "0"))
                index = bytes.index(after: index)
            }
            if let separator {
                guard bytes[index] == separator else { return nil }
                index = bytes.index(after: index)
            }
            return value
        }
        guard let year = number(4, then: UInt8(ascii: "-")), let month = number(2, then: UInt8(ascii: "-")),
            let day = number(2, then: UInt8(ascii: "T")), let hour = number(2, then: UInt8(ascii: ":")),
            let minute = number(2, then: UInt8(ascii: ":")), let second = number(2, then: UInt8(ascii: ".")),
            let millis = number(3, then: UInt8(ascii: "Z")),
            (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year), hour < 24, minute < 60,
            second < 60
        else { return nil }
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
    }

    /// Days in `month` (1…12) of the proleptic Gregorian `year`.
    private static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func appendDigits(_ value: Int64, count: Int, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = max(0, value)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
