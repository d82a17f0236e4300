import Foundation

/// The buckets `[start, end)` a query's range is cut into, their count, and the rollup tier that can fill them.
///
/// Fixed steps are aligned to the Unix epoch; day steps start at local midnight in the query's time zone
/// and follow the calendar, so that a `1d` bucket in Europe/Berlin is 23 hours long on the day DST begins.
public enum QueryBuckets {
    /// The earliest instant day steps are computed for: 0000-01-01T00:00Z, less two days for time zones.
    ///
    /// Foundation's calendar clamps dates far outside the years 0 to 9999 (it answers wrongly, not nil).
    static let calendarMinimumMillis: Int64 = -62_167_219_200_000 - 2 * 86_400_000
    /// The latest instant day steps are computed for: 10000-01-01T00:00Z, plus two days for time zones.
    static let calendarMaximumMillis: Int64 = 253_402_300_800_000 + 2 * 86_400_000
    /// The longest day step computed (about 10,000 years), so that no bucket ends where the calendar clamps.
    static let maximumDays = 3_660_000

    /// The buckets covering `[from, to)`: the first contains `from`, the last is the first to reach `to`.
    /// Empty when `from >= to`; nil when a boundary does not fit in an `Int64` or leaves the calendar's range.
    ///
    /// Allocates one element per bucket: check ``bucketCount(from:to:step:timeZone:)`` against a limit first.
    public static func buckets(from: Int64, to: Int64, step: QueryStep, timeZone: TimeZone) -> [Range<Int64>]? {
        guard let count = bucketCount(from: from, to: to, step: step, timeZone: timeZone) else { return nil }
        var buckets: [Range<Int64>] = []
        buckets.reserveCapacity(count)
        var start: Int64? = nil
        let completed = forEachBoundary(from: from, step: step, timeZone: timeZone, count: count) { boundary in
            if let start { buckets.append(start..<boundary) }
            start = boundary
            return true
        }
        return completed ? buckets : nil
    }

    /// How many buckets ``buckets(from:to:step:timeZone:)`` returns, computed without making them (0 when
    /// `from >= to`); nil when that does not fit, or for a day step outside the years 0 to 9999.
    public static func bucketCount(from: Int64, to: Int64, step: QueryStep, timeZone: TimeZone) -> Int? {
        guard from < to else { return 0 }
        switch step {
        case .fixed(let millis):
            guard millis > 0, let first = floor(from, toMultipleOf: millis) else { return nil }
            let (span, overflow) = to.subtractingReportingOverflow(first)
            guard !overflow else { return nil }
            let count = span / millis + (span % millis == 0 ? 0 : 1)
            // The last bucket's end must fit as well.
            let (length, o1) = count.multipliedReportingOverflow(by: millis)
            let (_, o2) = first.addingReportingOverflow(length)
            guard !o1, !o2 else { return nil }
            return Int(exactly: count)
        case .days(let days):
            guard calendarIsTrusted(days: days, from: from, to: to) else { return nil }
            // Counted on local dates, not between the days' first instants: when DST skips a midnight the day
            // starts at 01:00, and Foundation counts 01:00 to the next midnight as less than a day.
            guard let firstDay = localDay(from, timeZone), let lastDay = localDay(to - 1, timeZone),
                lastDay >= firstDay
            else { return nil }
            return Int((lastDay - firstDay) / Int64(days)) + 1
        }
    }

    /// The coarsest of `tiers` (window lengths in ms) that divides every bucket boundary of the range, so
    /// that each bucket is a whole number of that tier's windows; nil when none does.
    ///
    /// For a fixed step, the coarsest tier dividing the step. For a day step, boundaries are local midnights:
    /// in Asia/Kolkata (+05:30) they fall on the half hour, which rules out 1h and leaves 1m. A day step walks
    /// every boundary, so check ``bucketCount(from:to:step:timeZone:)`` against a limit first.
    public static func tier(for step: QueryStep, tiers: [Int64], timeZone: TimeZone, from: Int64, to: Int64) -> Int64? {
        var candidates = tiers.filter { $0 > 0 }
        switch step {
        case .fixed(let millis):
            guard millis > 0 else { return nil }
            candidates.removeAll { millis % $0 != 0 }
        case .days:
            guard let count = bucketCount(from: from, to: to, step: step, timeZone: timeZone) else { return nil }
            let completed = forEachBoundary(from: from, step: step, timeZone: timeZone, count: count) { boundary in
                candidates.removeAll { boundary % $0 != 0 }
                return !candidates.isEmpty
            }
            guard completed else { return nil }
        }
        return candidates.max()
    }

    /// Calls `body` with the `count + 1` boundaries of `count` buckets in order (each bucket's start, then
    /// the last one's end) until it returns false; true when every boundary was computed and accepted.
    private static func forEachBoundary(
        from: Int64, step: QueryStep, timeZone: TimeZone, count: Int, _ body: (Int64) -> Bool
    ) -> Bool {
        guard count > 0 else { return true }
        switch step {
        case .fixed(let millis):
            // bucketCount has checked that the last end fits.
            guard var boundary = floor(from, toMultipleOf: millis) else { return false }
            for index in 0...count {
                guard body(boundary) else { return false }
                if index < count { boundary += millis }
            }
            return true
        case .days(let days):
            guard let calendar = calendar(days: days, timeZone: timeZone, from: from, to: from),
                let noon = calendar.date(byAdding: .hour, value: 12, to: calendar.startOfDay(for: date(from)))
            else { return false }
            for index in 0...count {
                // From the first day's noon, so that each boundary is the start of its own calendar day even
                // when a midnight is skipped by DST (the day then starts at 01:00).
                let (offset, overflow) = index.multipliedReportingOverflow(by: days)
                guard !overflow, let day = calendar.date(byAdding: .day, value: offset, to: noon),
                    let boundary = millis(calendar.startOfDay(for: day)), body(boundary)
                else { return false }
            }
            return true
        }
    }

    /// True when a `days` step over `[from, to]` stays where Foundation's calendar arithmetic can be trusted.
    private static func calendarIsTrusted(days: Int, from: Int64, to: Int64) -> Bool {
        days > 0 && days <= maximumDays && from >= calendarMinimumMillis && to <= calendarMaximumMillis
    }

    /// A Gregorian calendar in `timeZone`, or nil when ``calendarIsTrusted(days:from:to:)`` is not.
    private static func calendar(days: Int, timeZone: TimeZone, from: Int64, to: Int64) -> Calendar? {
        guard calendarIsTrusted(days: days, from: from, to: to) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The local date of `millis` in `timeZone`, as days since 1970-01-01.
    ///
    /// From the zone's offset rather than from the calendar's date fields: Foundation's Gregorian calendar
    /// turns Julian before October 1582, and its day labels would miscount a range across that.
    private static func localDay(_ millis: Int64, _ timeZone: TimeZone) -> Int64? {
        let offset = Int64(timeZone.secondsFromGMT(for: date(millis))) * 1000
        let (local, overflow) = millis.addingReportingOverflow(offset)
        guard !overflow, let day = floor(local, toMultipleOf: QueryStep.millisPerDay) else { return nil }
        return day / QueryStep.millisPerDay
    }

    /// The largest multiple of `step` (> 0) at or below `value`, or nil when that is below `Int64.min`.
    static func floor(_ value: Int64, toMultipleOf step: Int64) -> Int64? {
        let remainder = value % step
        if remainder >= 0 { return value - remainder }
        let (result, overflow) = (value - remainder).subtractingReportingOverflow(step)
        return overflow ? nil : result
    }

    private static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Whole epoch milliseconds of `date` (local midnights are whole seconds in every zone).
    private static func millis(_ date: Date) -> Int64? {
        Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded())
    }
}
