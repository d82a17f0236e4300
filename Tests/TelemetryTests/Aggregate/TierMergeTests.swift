import Testing

@testable import Telemetry

/// Tiers built from tiers: for generated streams of a gauge, a counter and a state (late
/// readings, counter resets, a checkpoint restored midway, a graceful stop and restart), every
/// coarser tier's records equal the merge of the finer tier's records they contain, and the
/// gauge's records of every tier, quantile sketch included, equal what the accepted readings
/// give computed directly.
/// (`EventOrderStreamTests` checks the counter and state figures of every tier against
/// `EventOrderReference`.)
@Suite("Tiers built from tiers")
struct TierMergeTests {
    static let tiers = [
        Tier(name: "2s", lengthMillis: 2_000), Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000),
    ]
    static let lateness: Int64 = 5_000
    static let base: Int64 = 1_800_000_000_000
    static let device = DeviceKey(park: "yen-my", site: "f01", device: "mch-0001")
    static let gauge = MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW")
    static let counter = MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh")
    static let state = MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"])

    static func makeAggregator() -> WindowAggregator {
        WindowAggregator(tiers: tiers, allowedLatenessMillis: lateness, stateHorizonMillis: 20_000)
    }

    /// A gauge reading the aggregator accepted, with its place in arrival order.
    struct GaugeReading {
        var timestampMillis: Int64
        var arrival: Int
        var value: Double
    }

    /// Feeds one device, refusing what its watermark refuses, and collects every record.
    struct Feeder {
        var aggregator = TierMergeTests.makeAggregator()
        var written: [RollupWindow] = []
        var gauges: [GaugeReading] = []
        var newest = Int64.min
        var arrival = 0
        var counterTotal = 0.0

        mutating func feed(timestampMillis: Int64, using generator: inout SplitMix64) {
            let device = aggregator.deviceIndex(for: TierMergeTests.device)
            let watermark = newest == .min ? Int64.min : newest - TierMergeTests.lateness
            guard timestampMillis >= watermark else { return }
            arrival += 1
            switch generator.next(below: 3) {
            case 0:
                let series = aggregator.seriesIndex(device: device, definition: TierMergeTests.gauge)
                // Values with fractions, negatives and repeats, so sums round and ties occur.
                let value = Double(Int(generator.next(below: 20_001)) - 10_000) / 7
                aggregator.add(value, at: timestampMillis, series: series)
                gauges.append(GaugeReading(timestampMillis: timestampMillis, arrival: arrival, value: value))
            case 1:
                let series = aggregator.seriesIndex(device: device, definition: TierMergeTests.counter)
                counterTotal = generator.next(below: 15) == 0 ? 0 : counterTotal + Double(generator.next(below: 50)) / 4
                aggregator.add(counterTotal, at: timestampMillis, series: series)
            default:
                let series = aggregator.seriesIndex(device: device, definition: TierMergeTests.state)
                let states = ["running", "idle", "fault"]
                aggregator.add(state: states[generator.next(below: 3)], at: timestampMillis, series: series)
            }
            newest = max(newest, timestampMillis)
            let receivedAt = newest
            aggregator.observe(device: device, maxEventMillis: timestampMillis, receivedAtMillis: receivedAt)
            aggregator.closeWindows(ingestClockMillis: receivedAt) { written.append($0) }
        }

        mutating func restart() throws {
            var writer = CheckpointWriter()
            aggregator.encode(to: &writer)
            aggregator.encodeEventOrder(to: &writer)
            var restored = TierMergeTests.makeAggregator()
            var reader = CheckpointReader(writer.bytes)
            try restored.restore(from: &reader)
            try restored.restoreEventOrder(from: &reader)
            #expect(reader.isAtEnd)
            aggregator = restored
        }

        mutating func stop(at stopMillis: Int64) throws {
            aggregator.flushAll(stopMillis: stopMillis) { written.append($0) }
            try restart()
        }
    }

    /// A series' records of one tier merged by window start, in the order written (as a reader
    /// of the log merges records of one window).
    static func merged(_ records: [RollupWindow], metric: String, tier: Tier) -> [Int64: WindowPartial] {
        var result: [Int64: WindowPartial] = [:]
        for record in records where record.series.metric == metric && record.tier == tier {
            guard let existing = result[record.startMillis] else {
                result[record.startMillis] = record.partial
                continue
            }
            result[record.startMillis] = merge(existing, record.partial)
        }
        return result
    }

    /// The merge a reader of the log applies: numeric partials by `NumericPartial.merge`, states
    /// by adding counts and milliseconds and taking first and last by event time.
    static func merge(_ left: WindowPartial, _ right: WindowPartial) -> WindowPartial {
        switch (left, right) {
        case (.numeric(var merged), .numeric(let other)):
            merged.merge(other)
            return .numeric(merged)
        case (.state(var merged), .state(let other)):
            merged.count += other.count
            merged.transitions += other.transitions
            merged.upMillis += other.upMillis
            merged.plannedMillis += other.plannedMillis
            for (name, count) in other.stateCounts { merged.stateCounts[name, default: 0] += count }
            for (name, millis) in other.stateMillis { merged.stateMillis[name, default: 0] += millis }
            if let first = other.first, merged.first.map({ first.timestampMillis < $0.timestampMillis }) ?? true {
                merged.first = first
            }
            if let last = other.last, merged.last.map({ last.timestampMillis >= $0.timestampMillis }) ?? true {
                merged.last = last
            }
            merged.inForceAtStop = nil
            return .state(merged)
        default:
            Issue.record("windows of two kinds")
            return left
        }
    }

    /// Equal up to the rounding of sums of sums (relative 1e-9) where merging adds floating-point
    /// figures in another order; exact elsewhere. Fault runs are left out: a window written in
    /// two records cannot join them, and `EventOrderStreamTests` checks them in every tier.
    static func agree(_ left: WindowPartial, _ right: WindowPartial) -> Bool {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }
        switch (left, right) {
        case (.numeric(let a), .numeric(let b)):
            return a.count == b.count && a.min == b.min && a.max == b.max && a.first == b.first && a.last == b.last
                && a.resets == b.resets && close(a.sum, b.sum) && close(a.mean, b.mean) && close(a.m2, b.m2)
                && close(a.increase, b.increase)
        case (.state(var a), .state(var b)):
            a.inForceAtStop = nil
            b.inForceAtStop = nil
            (a.faults, b.faults) = (FaultRuns(), FaultRuns())
            return a == b
        default:
            return false
        }
    }

    @Test(arguments: 1...24)
    func everyCoarserTierIsTheMergeOfTheFinerOneAndTheGaugeMatchesItsReadings(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed) &* 7_919)
        let steps: [Int64] = [0, 1, 250, 999, 1_000, 2_000, 2_000, 3_500, 7_000, 30_000, 61_000]
        var times: [Int64] = []
        var time = Self.base + Int64(generator.next(below: 60_000))
        for _ in 0..<600 {
            time += steps[generator.next(below: steps.count)]
            times.append(time)
        }
        // Arrival order: each delayed by up to 1.5 × the lateness, so some are refused as too late.
        let arrivals = times.enumerated()
            .map { (key: $1 + Int64(generator.next(below: Int(Self.lateness * 3 / 2))), position: $0, time: $1) }
            .sorted { ($0.key, $0.position) < ($1.key, $1.position) }.map(\.time)
        var feeder = Feeder()
        let restartAt = generator.next(below: 300)
        let stopAt = 300 + generator.next(below: 300)
        for (position, timestamp) in arrivals.enumerated() {
            if position == restartAt { try feeder.restart() }
            if position == stopAt { try feeder.stop(at: feeder.newest + 1) }
            feeder.feed(timestampMillis: timestamp, using: &generator)
        }
        try feeder.stop(at: feeder.newest + 1)
        #expect(feeder.aggregator.openWindowCount == 0)
        #expect(feeder.gauges.count > 150 && feeder.gauges.count < times.count / 2, "some gauge readings refused")

        for metric in [Self.gauge.name, Self.counter.name, Self.state.name] {
            for (finer, coarser) in zip(Self.tiers, Self.tiers.dropFirst()) {
                let fine = Self.merged(feeder.written, metric: metric, tier: finer)
                var expected: [Int64: WindowPartial] = [:]
                for start in fine.keys.sorted() {
                    let coarseStart = coarser.windowStart(containing: start)
                    guard let partial = fine[start] else { continue }
                    expected[coarseStart] = expected[coarseStart].map { Self.merge($0, partial) } ?? partial
                }
                let coarse = Self.merged(feeder.written, metric: metric, tier: coarser)
                #expect(coarse.keys.sorted() == expected.keys.sorted(), "\(metric) \(coarser.name)")
                for (start, partial) in coarse {
                    let want = try #require(expected[start])
                    #expect(Self.agree(partial, want), "\(metric) \(coarser.name) at \(start): \(partial) against \(want)")
                }
            }
        }

        var sketches: [Int64: [Int64: QuantileSketch]] = [:]
        for record in feeder.written where record.series.metric == Self.gauge.name {
            let sketch = try #require(record.sketch, "every gauge record carries a sketch")
            if sketches[record.tier.lengthMillis]?[record.startMillis] == nil {
                sketches[record.tier.lengthMillis, default: [:]][record.startMillis] = sketch
            } else {
                try sketches[record.tier.lengthMillis]?[record.startMillis]?.merge(sketch)
            }
        }
        #expect(feeder.written.allSatisfy { ($0.sketch != nil) == ($0.kind == .gauge) })
        for tier in Self.tiers {
            var byWindow: [Int64: [GaugeReading]] = [:]
            for reading in feeder.gauges {
                byWindow[tier.windowStart(containing: reading.timestampMillis), default: []].append(reading)
            }
            let written = Self.merged(feeder.written, metric: Self.gauge.name, tier: tier)
            #expect(written.keys.sorted() == byWindow.keys.sorted(), "gauge windows of \(tier.name)")
            for (start, readings) in byWindow {
                guard case .numeric(let partial) = written[start] else {
                    Issue.record("no gauge window \(tier.name) at \(start)")
                    continue
                }
                let values = readings.map(\.value)
                let first = readings.min { ($0.timestampMillis, $0.arrival) < ($1.timestampMillis, $1.arrival) }
                let last = readings.max { ($0.timestampMillis, $0.arrival) < ($1.timestampMillis, $1.arrival) }
                let sum = values.reduce(0, +)
                #expect(partial.count == values.count && partial.min == values.min() && partial.max == values.max())
                #expect(abs(partial.sum - sum) <= 1e-9 * max(1, abs(sum)))
                #expect(partial.first.value == first?.value && partial.first.timestampMillis == first?.timestampMillis)
                #expect(partial.last.value == last?.value && partial.last.timestampMillis == last?.timestampMillis)
                // The window's sketch, merged across its records, is the sketch of its readings.
                var expectedSketch = QuantileSketch()
                for value in values { try expectedSketch.add(value) }
                #expect(sketches[tier.lengthMillis]?[start] == expectedSketch, "sketch \(tier.name) at \(start)")
            }
        }
    }
}
