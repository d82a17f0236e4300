import BenchmarkSupport
import Telemetry
import TelemetryIndex

/// A park shaped like the pilots' (one park, 20 sites, 50 machines each, 10 metrics per
/// machine: 10,000 series) and the rollup records its gateway would have written, in the order
/// the log holds them: every window ending at a time, all series, then the next time.
struct SyntheticPark {
    static let park = "yen-my"
    static let sites = (1...20).map { "f" + padded($0, 2) }
    static let devicesPerSite = 50
    static let gauges = [
        ("vibration_mm_s", "mm/s"), ("temperature_c", "°C"), ("power_kw", "kW"), ("current_a", "A"),
        ("voltage_v", "V"), ("pressure_bar", "bar"), ("humidity_pct", "%"), ("speed_rpm", "rpm"),
    ]
    static let counter = ("energy_kwh", "kWh")
    static let state = "machine_state"
    static let states = ["idle", "running", "fault"].map { Array($0.utf8) }
    /// Every machine sends each metric once every 10 s.
    static let readingMillis: Int64 = 10_000

    /// The end of the data: 2026-12-08T00:00:00Z.
    static let endMillis: Int64 = 1_796_688_000_000
    static let hourMillis: Int64 = 3_600_000
    static let dayMillis: Int64 = 86_400_000

    /// Days of `1m` windows; `1h` always covers 7 days and `10s` the last 6 hours.
    let minuteDays: Int
    let series: [SeriesName]
    let kinds: [(kind: String, unit: String)]

    init(minuteDays: Int) {
        self.minuteDays = minuteDays
        var series: [SeriesName] = []
        var kinds: [(String, String)] = []
        let metrics =
            Self.gauges.map { ($0.0, "gauge", $0.1) } + [(Self.counter.0, "counter", Self.counter.1)]
            + [(Self.state, "state", "")]
        for (siteNumber, site) in Self.sites.enumerated() {
            for machine in 1...Self.devicesPerSite {
                let device = Self.deviceName(site: siteNumber, machine: machine)
                for (metric, kind, unit) in metrics {
                    series.append(
                        SeriesName(
                            park: Array(Self.park.utf8), site: Array(site.utf8), device: Array(device.utf8),
                            metric: Array(metric.utf8)))
                    kinds.append((kind, unit))
                }
            }
        }
        self.series = series
        self.kinds = kinds
    }

    /// Device names run d0001 … d1000 across the park.
    static func deviceName(site: Int, machine: Int) -> String {
        "d" + padded(site * devicesPerSite + machine, 4)
    }

    static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Each tier's length and the first window start it covers.
    var tiers: [(millis: Int64, from: Int64)] {
        [
            (10_000, Self.endMillis - 6 * Self.hourMillis),
            (60_000, Self.endMillis - Int64(minuteDays) * Self.dayMillis),
            (Self.hourMillis, Self.endMillis - 7 * Self.dayMillis),
        ]
    }

    /// Calls `body` with the records of each window end (and their series' numbers), in time order.
    func forEachBatch(_ body: ([(series: Int, record: RollupRecord)]) throws -> Void) rethrows {
        let start = tiers.map(\.from).min() ?? Self.endMillis
        var end = start + Self.readingMillis
        var batch: [(series: Int, record: RollupRecord)] = []
        batch.reserveCapacity(series.count * 2)
        while end <= Self.endMillis {
            batch.removeAll(keepingCapacity: true)
            for (tier, from) in tiers where end % tier == 0 && end - tier >= from {
                for index in series.indices { batch.append((index, record(index, start: end - tier, tier: tier))) }
            }
            if !batch.isEmpty { try body(batch) }
            end += Self.readingMillis
        }
    }

    /// Windows of all tiers, for reporting bytes per window.
    var windowCount: Int {
        tiers.reduce(0) { $0 + Int((Self.endMillis - $1.from) / $1.millis) } * series.count
    }

    /// One window of one series, its figures drawn from a generator seeded by (series, start).
    func record(_ index: Int, start: Int64, tier: Int64) -> RollupRecord {
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: start) &* 1_000_003 &+ UInt64(index))
        let count = tier / Self.readingMillis
        let lastMillis = start + tier - Self.readingMillis
        let (kind, unit) = kinds[index]
        var record = RollupRecord(
            startMillis: start, endMillis: start + tier, series: series[index], kind: kind, unit: unit, count: count,
            complete: true)
        switch kind {
        case "state":
            let running = Int64(random.next() % UInt64(count + 1))
            let idle = count - running
            record.states = [
                StateTime(name: Self.states[0], readings: idle, millis: idle * Self.readingMillis),
                StateTime(name: Self.states[1], readings: running, millis: running * Self.readingMillis),
            ].filter { $0.readings > 0 }
            record.first = TimedValue(millis: start, value: .state(Self.states[Int(random.next() % 2)]))
            record.last = TimedValue(millis: lastMillis, value: .state(Self.states[Int(random.next() % 2)]))
        default:
            let low = Double(random.next() % 1_000) / 10
            let high = low + Double(random.next() % 1_000) / 10
            record.min = low
            record.max = high
            record.sum = (low + high) / 2 * Double(count)
            record.m2 = Double(count) * (high - low) * (high - low) / 12
            record.first = TimedValue(millis: start, value: .number(low))
            record.last = TimedValue(millis: lastMillis, value: .number(high))
            if kind == "counter" {
                record.increase = high - low
                record.resets = 0
            }
        }
        return record
    }
}
