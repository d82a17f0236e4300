import Telemetry

/// What the rollups of a program must add up to: for every series, tier and window, the
/// readings the pipeline accepted (from `stats.readingsAccepted` and the quarantine records
/// of each message), against the counts of the rollups written.
///
/// Names are told apart by their bytes, as the pipeline does. Which of a message's readings
/// were accepted follows from its per-reading quarantine records, which name the metric and
/// come in document order. Readings of one name that share a timestamp land in the same
/// windows, so only an array payload that names a metric in several elements with different
/// `ts` and rejects some of them is ambiguous: when all those rejections are `too_late` the
/// rejected readings are the earliest (a reading is too late when it is before its device's
/// watermark, which does not move within a message); otherwise the series is checked by its
/// total per tier instead of window by window. When a message's rejections beyond the first
/// few share one summary record (which names no metric), its series are only bounded from
/// above. Whatever the records say, each tier's rollups count all accepted readings.
struct WindowLedger {
    /// A series, its metric name compared by bytes.
    struct Series: Hashable, CustomStringConvertible {
        var device: DeviceKey
        var metric: Name

        var description: String { "\(device.park)/\(device.site)/\(device.device) \(metric.string.debugDescription)" }
    }

    /// One window of one series and tier.
    struct WindowKey: Hashable {
        var tier: Int
        var series: Series
        var start: Int64
    }

    let tiers: [Tier]
    /// Readings accepted into each window, and counted by its rollups so far.
    private var expected: [WindowKey: Int] = [:]
    private var observed: [WindowKey: Int] = [:]
    /// Readings accepted per series: exactly, or at most for the series in `inexact`.
    private var expectedTotals: [Series: Int] = [:]
    /// Series whose readings' windows could not be told from the quarantine records.
    private var ambiguous: Set<Series> = []
    /// Series of messages with a summary record: their totals are upper bounds.
    private var inexact: Set<Series> = []

    init(tiers: [Tier]) {
        self.tiers = tiers
    }

    /// Accounts for one message that was not quarantined as a whole: `readings` (metric as
    /// a quarantine record names it, event time; in document order), `rejected` (the metric and
    /// reason of each per-reading record, in order) and `summarised`, the readings rejected in
    /// summary records. Traps when a record names a metric the message lacks.
    mutating func record(
        device: DeviceKey, readings: [(metric: String, millis: Int64)], rejected: [(metric: String, reason: QuarantineReason)],
        summarised: Int
    ) {
        var times: [Name: [Int64]] = [:]
        var order: [Name] = []
        for reading in readings {
            let name = Name(reading.metric)
            if times[name] == nil { order.append(name) }
            times[name, default: []].append(reading.millis)
        }
        var reasons: [Name: [QuarantineReason]] = [:]
        for record in rejected {
            let name = Name(record.metric)
            Invariant.require(
                times[name] != nil, "quarantined metric \(record.metric.debugDescription) is not among the message's readings")
            reasons[name, default: []].append(record.reason)
        }
        for name in order {
            let stamps = times[name] ?? []
            let refused = reasons[name] ?? []
            let series = Series(device: device, metric: name)
            Invariant.require(
                refused.count <= stamps.count, "\(refused.count) quarantine records for \(stamps.count) readings of \(series)")
            let acceptedCount = stamps.count - refused.count
            guard acceptedCount > 0 else { continue }
            expectedTotals[series, default: 0] += acceptedCount
            if summarised > 0 {
                inexact.insert(series)
                continue
            }
            let accepted: [Int64]
            if refused.isEmpty || stamps.allSatisfy({ $0 == stamps[0] }) {
                accepted = Array(stamps.prefix(acceptedCount))
            } else if refused.allSatisfy({ $0 == .tooLate }) {
                accepted = Array(stamps.sorted().dropFirst(refused.count))
            } else {
                ambiguous.insert(series)
                continue
            }
            for millis in accepted {
                for (index, tier) in tiers.enumerated() {
                    expected[WindowKey(tier: index, series: series, start: tier.windowStart(containing: millis)), default: 0] += 1
                }
            }
        }
    }

    /// Counts a rollup that was written; traps when a window has counted more readings than
    /// were accepted into it.
    mutating func observe(_ rollup: RollupWindow) {
        guard let tier = tiers.firstIndex(of: rollup.tier) else {
            Invariant.fail("rollup of tier \(rollup.tier.name), which is not configured")
        }
        let series = Series(device: rollup.series.device, metric: Name(rollup.series.metric))
        let key = WindowKey(tier: tier, series: series, start: rollup.startMillis)
        observed[key, default: 0] += rollup.partial.count
        if !ambiguous.contains(series) && !inexact.contains(series) {
            let written = observed[key] ?? 0
            Invariant.require(
                written <= expected[key] ?? 0,
                "\(rollup.tier.name) window at \(rollup.startMillis) of \(series) counted \(written) readings, \(expected[key] ?? 0) were accepted into it"
            )
        }
    }

    /// After every window was written (`flushAll`): each tier counted `acceptedReadings` in all,
    /// each series' readings (at most them, after a summary record), and each window exactly the
    /// readings accepted into it (unless ambiguous or summarised).
    func verifyAllWritten(acceptedReadings: Int) {
        var observedTotals: [Int: [Series: Int]] = [:]
        for (key, count) in observed {
            observedTotals[key.tier, default: [:]][key.series, default: 0] += count
        }
        for tier in tiers.indices {
            let totals = observedTotals[tier] ?? [:]
            let all = totals.values.reduce(0, +)
            Invariant.require(
                all == acceptedReadings,
                "tier \(tiers[tier].name) rollups count \(all) readings, \(acceptedReadings) were accepted")
            for series in Set(totals.keys).union(expectedTotals.keys) {
                let counted = totals[series] ?? 0
                let accepted = expectedTotals[series] ?? 0
                Invariant.require(
                    inexact.contains(series) ? counted <= accepted : counted == accepted,
                    "tier \(tiers[tier].name) rollups of \(series) count \(counted) readings, \(accepted) were accepted")
            }
        }
        for key in Set(observed.keys).union(expected.keys) where !ambiguous.contains(key.series) && !inexact.contains(key.series)
        {
            Invariant.require(
                observed[key] ?? 0 == expected[key] ?? 0,
                "tier \(tiers[key.tier].name) window at \(key.start) of \(key.series) counted \(observed[key] ?? 0) readings, \(expected[key] ?? 0) were accepted into it"
            )
        }
    }
}
