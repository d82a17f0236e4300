/// The instants `from` and `to` accept: RFC 3339 timestamps and times relative to now (`now`, `-24h`).
///
/// RFC 3339 is read by hand over the UTF-8 bytes with the days-from-civil algorithm (no Foundation
/// formatter, no allocation), because the rollup log reader calls it for every record it reads.
public enum TimeExpression {
    /// What `from` and `to` accept, as said in error messages.
    static let expected =
        "an RFC 3339 time (2026-12-01T00:00:00Z, 2026-12-01T07:00:00+07:00) or now, -24h, -7d, -90m, -30s"

    /// The outcome of reading a time expression.
    enum Reading: Equatable {
        case millis(Int64)
        case malformed
        case outOfRange
    }

    /// Epoch milliseconds of an RFC 3339 time or of `now`, `-24h`, `-7d`, `-90m`, `-30s` before `nowMillis`;
    /// nil when `text` is neither or the result does not fit in an `Int64`.
    public static func millis(parsing text: String, nowMillis: Int64) -> Int64? {
        if case .millis(let value) = read(text, nowMillis: nowMillis) { return value }
        return nil
    }

    /// ``millis(parsing:nowMillis:)``, telling a malformed text from one out of range.
    static func read(_ text: String, nowMillis: Int64) -> Reading {
        if text == "now" { return .millis(nowMillis) }
        if text.utf8.first == UInt8(ascii: "-") {
            switch QueryStep.duration(text.dropFirst()) {
            case .malformed: return .malformed
            case .tooLong: return .outOfRange
            case .millis(let before):
                let (value, overflow) = nowMillis.subtractingReportingOverflow(before)
                return overflow ? .outOfRange : .millis(value)
            }
        }
        return rfc3339UTCMillis(text).map(Reading.millis) ?? .malformed
    }

    /// Epoch milliseconds of an RFC 3339 time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9
    /// digits (truncated to milliseconds), then `Z` or `±hh:mm`; nil for anything else or an impossible date.
    ///
    /// The gateway's own record format, `2026-11-21T08:01:00.000Z`, takes a fast path. Years 0000 to 9999;
    /// `T` and `Z` may be lowercase; leap seconds (`:60`) and hour 24 are refused. Allocates nothing.
    public static func rfc3339UTCMillis(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { rfc3339UTCMillis(utf8: $0) }
    }

    /// ``rfc3339UTCMillis(_:)`` over UTF-8 bytes, for a reader that holds the record's bytes, not a `String`.
    public static func rfc3339UTCMillis(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = bytes.count
        guard count >= 20 else { return nil }
        guard let year = digits(bytes, 0, 4), bytes[4] == dash, let month = digits(bytes, 5, 2), bytes[7] == dash,
            let day = digits(bytes, 8, 2), bytes[10] | 0x20 == UInt8(ascii: "t"),
            let hour = digits(bytes, 11, 2), bytes[13] == colon, let minute = digits(bytes, 14, 2), bytes[16] == colon,
            let second = digits(bytes, 17, 2)
        else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month), hour <= 23,
            minute <= 59, second <= 59
        else { return nil }

        var index = 19
        var millis: Int64 = 0
        var offsetMinutes: Int64 = 0
        if count == 24, bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z") {
            // The fast path: the gateway's record format, exactly three fraction digits and `Z`.
            guard let fraction = digits(bytes, 20, 3) else { return nil }
            millis = fraction
            index = 24
        } else {
            if bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < count, let digit = digit(bytes[index]) {
                    if index - fractionStart < 3 { millis = millis * 10 + digit }
                    index += 1
                }
                let fractionDigits = index - fractionStart
                guard fractionDigits >= 1, fractionDigits <= 9 else { return nil }
                for _ in min(fractionDigits, 3)..<3 { millis *= 10 }
            }
            guard index < count else { return nil }
            let designator = bytes[index]
            if designator | 0x20 == UInt8(ascii: "z") {
                index += 1
            } else if designator == UInt8(ascii: "+") || designator == dash {
                guard count - index == 6, let hours = digits(bytes, index + 1, 2), bytes[index + 3] == colon,
                    let minutes = digits(bytes, index + 4, 2), hours <= 23, minutes <= 59
                else { return nil }
                offsetMinutes = (hours * 60 + minutes) * (designator == dash ? -1 : 1)
                index += 6
            } else {
                return nil
            }
        }
        guard index == count else { return nil }
        // All fields are bounded above (year ≤ 9999), so none of this can overflow.
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second
        return seconds * 1000 + millis
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number of days in `month` (1…12) of `year` in the proleptic Gregorian calendar.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static let dash = UInt8(ascii: "-")
    private static let colon = UInt8(ascii: ":")

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }

    /// The decimal number in `bytes[start ..< start + width]`, or nil if the bytes are not all digits or run out.
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ width: Int) -> Int64? {
        guard start + width <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<start + width {
            guard let digit = digit(bytes[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
