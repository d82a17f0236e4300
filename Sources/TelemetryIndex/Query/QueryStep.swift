/// The width of a query's buckets (`step`): a fixed number of milliseconds, epoch-aligned, or a whole
/// number of calendar days in the query's time zone, which is 23 or 25 hours long across a DST change.
public enum QueryStep: Sendable, Hashable, CustomStringConvertible {
    /// Buckets of exactly this many milliseconds, aligned to the Unix epoch (`10s`, `5m`, `36h`).
    case fixed(millis: Int64)
    /// Buckets of this many calendar days, starting at local midnight in the query's time zone (`1d`, `7d`, `24h`).
    case days(Int)

    /// The value of `step` when the request has none.
    public static let defaultStep = QueryStep.fixed(millis: 60_000)

    /// What `step` accepts, as said in error messages.
    static let expected = "a whole number followed by s, m, h or d (10s, 5m, 1h, 1d)"

    static let millisPerDay: Int64 = 86_400_000

    /// Parses `10s`, `5m`, `1h`, `7d`…; a step that is a whole number of days (`24h`, `1440m`) becomes `.days`.
    public static func parse(_ text: String) throws(QueryParameterError) -> QueryStep {
        let millis: Int64
        switch duration(text) {
        case .malformed:
            throw .invalid("step", text, is: "is not a duration", expected: expected)
        case .tooLong:
            throw .invalid("step", text, is: "is too long to count in milliseconds", expected: expected)
        case .millis(let value):
            millis = value
        }
        guard millis > 0 else { throw .invalid("step", text, is: "is not longer than zero", expected: expected) }
        if millis % millisPerDay == 0, let days = Int(exactly: millis / millisPerDay) {
            return .days(days)
        }
        return .fixed(millis: millis)
    }

    /// The canonical text: the largest unit that divides the step (`90s`, `1m` for `60s`, `1d` for `24h`).
    public var description: String {
        switch self {
        case .days(let days):
            return "\(days)d"
        case .fixed(let millis):
            // A fixed step is whole seconds when parsed; other values are spelled in milliseconds.
            for (unit, length) in [("h", 3_600_000), ("m", 60_000), ("s", 1000)] as [(String, Int64)]
            where millis != 0 && millis % length == 0 {
                return "\(millis / length)\(unit)"
            }
            return "\(millis)ms"
        }
    }

    /// The outcome of reading a duration such as `90m`.
    enum DurationReading: Equatable {
        case millis(Int64)
        case malformed
        case tooLong
    }

    /// Reads digits followed by one of `s`, `m`, `h`, `d` as milliseconds, with no trap on overflow.
    static func duration(_ text: Substring) -> DurationReading {
        let bytes = text.utf8
        guard let unitByte = bytes.last, bytes.count >= 2 else { return .malformed }
        let unit: Int64
        switch unitByte {
        case UInt8(ascii: "s"): unit = 1000
        case UInt8(ascii: "m"): unit = 60_000
        case UInt8(ascii: "h"): unit = 3_600_000
        case UInt8(ascii: "d"): unit = millisPerDay
        default: return .malformed
        }
        var count: Int64 = 0
        var overflowed = false
        for byte in bytes.dropLast() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .malformed }
            let (times10, o1) = count.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            overflowed = overflowed || o1 || o2
            count = sum
        }
        let (millis, o3) = count.multipliedReportingOverflow(by: unit)
        return overflowed || o3 ? .tooLong : .millis(millis)
    }

    /// ``duration(_:)-(Substring)`` on a whole string.
    static func duration(_ text: String) -> DurationReading {
        duration(text[...])
    }
}
