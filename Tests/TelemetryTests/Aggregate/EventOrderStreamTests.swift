import Testing

@testable import Telemetry

/// Generated streams of one device's counter and state readings, delivered shuffled within the
/// allowed lateness (a few beyond it), with a checkpoint restored midway and a graceful stop
/// and restart: every tier's windows must equal what `EventOrderReference` computes from the
/// accepted readings in event order.
@Suite("Event order: generated streams")
struct EventOrderStreamTests {
    static let tiers = [
        Tier(name: "2s", lengthMillis: 2_000), Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000),
    ]
    static let lateness: Int64 = 5_000
    static let horizon: Int64 = 20_000
    static let base: Int64 = 1_800_000_000_000
    static let device = DeviceKey(park: "yen-my", site: "f01", device: "mch-0001")
    static let counter = MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh")
    static let state = MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"])

    static func makeAggregator() -> WindowAggregator {
        WindowAggregator(tiers: tiers, allowedLatenessMillis: lateness, stateHorizonMillis: horizon)
    }

    /// One generated reading: its event time, which series, and its value or state.
    struct Event {
        var timestampMillis: Int64
        var isCounter: Bool
        var value: Double
        var state: String
    }

    /// Event times from `start`: steps of 0 (equal times), boundary-exact whole seconds, small
    /// offsets, and gaps beyond the horizon and across windows. Counters grow by 0–5 and reset.
    static func events(from start: Int64, count: Int, using generator: inout SplitMix64) -> [Event] {
        let steps: [Int64] = [0, 0, 1, 499, 1_000, 1_000, 2_000, 2_000, 1_500, 3_000, 7_000, 25_000, 61_000]
        let states = ["running", "idle", "fault"]
        var time = start
        var total = Double(generator.next(below: 1_000))
        var events: [Event] = []
        for _ in 0..<count {
            time += steps[generator.next(below: steps.count)]
            let isCounter = generator.next(below: 2) == 0
            if generator.next(below: 12) == 0 {
                total = Double(generator.next(below: 4))
            } else {
                total += Double(generator.next(below: 6))
            }
            events.append(
                Event(timestampMillis: time, isCounter: isCounter, value: total, state: states[generator.next(below: 3)]))
        }
        return events
    }

    /// `events` in arrival order: each delayed by up to the lateness (one in twenty up to 3 s
    /// beyond it), equal arrival keys in generation order.
    static func arrivals(_ events: [Event], using generator: inout SplitMix64) -> [Event] {
        let keyed = events.enumerated().map { position, event -> (key: Int64, position: Int, event: Event) in
            let limit = generator.next(below: 20) == 0 ? lateness + 3_000 : lateness
            return (event.timestampMillis + Int64(generator.next(below: Int(limit))), position, event)
        }
        return keyed.sorted { ($0.key, $0.position) < ($1.key, $1.position) }.map(\.event)
    }

    /// Feeds one device's readings, checks acceptance with its own watermark, and collects
    /// every record written.
    struct Feeder {
        typealias Stream = EventOrderStreamTests
        var aggregator = Stream.makeAggregator()
        var written: [RollupWindow] = []
        var accepted: [EventOrderReference.Reading] = []
        var acceptedStates: [EventOrderReference.Reading] = []
        var newest = Int64.min
        var arrival = 0
        /// Accepted readings that arrived after one with a later event time, and refused ones.
        var outOfOrder = 0
        var tooLate = 0

        mutating func feed(_ event: Event) {
            let device = aggregator.deviceIndex(for: Stream.device)
            let watermark = newest == .min ? Int64.min : newest - Stream.lateness
            let late = event.timestampMillis < watermark
            #expect(aggregator.isTooLate(device: device, timestampMillis: event.timestampMillis) == late)
            arrival += 1
            guard !late else {
                tooLate += 1
                return
            }
            if event.timestampMillis < newest { outOfOrder += 1 }
            let receivedAt = max(newest, event.timestampMillis)
            if event.isCounter {
                let series = aggregator.seriesIndex(device: device, definition: Stream.counter)
                aggregator.add(event.value, at: event.timestampMillis, series: series)
                accepted.append(.init(timestampMillis: event.timestampMillis, arrival: arrival, value: event.value))
            } else {
                let series = aggregator.seriesIndex(device: device, definition: Stream.state)
                aggregator.add(state: event.state, at: event.timestampMillis, series: series)
                acceptedStates.append(.init(timestampMillis: event.timestampMillis, arrival: arrival, state: event.state))
            }
            newest = max(newest, event.timestampMillis)
            aggregator.observe(device: device, maxEventMillis: event.timestampMillis, receivedAtMillis: receivedAt)
            aggregator.closeWindows(ingestClockMillis: receivedAt) { written.append($0) }
        }

        /// A checkpoint of the aggregator, restored into a new one that carries on.
        mutating func restart() throws {
            var writer = CheckpointWriter()
            aggregator.encode(to: &writer)
            aggregator.encodeEventOrder(to: &writer)
            var restored = Stream.makeAggregator()
            var reader = CheckpointReader(writer.bytes)
            try restored.restore(from: &reader)
            try restored.restoreEventOrder(from: &reader)
            #expect(reader.isAtEnd)
            aggregator = restored
        }

        /// A graceful stop at `stopMillis`: every window written, then a restart from the checkpoint.
        mutating func stop(at stopMillis: Int64) throws -> [RollupWindow] {
            var flushed: [RollupWindow] = []
            aggregator.flushAll(stopMillis: stopMillis) { flushed.append($0) }
            #expect(aggregator.openWindowCount == 0)
            written += flushed
            try restart()
            return flushed
        }
    }

    /// Records merged by tier length and start, as a reader of the log merges them; the fault
    /// runs of a window written in two records are left out (nil), as they cannot be joined.
    static func merged(_ records: [RollupWindow], metric: String) -> [Int64: [Int64: EventOrderReference.Window]] {
        var result: [Int64: [Int64: EventOrderReference.Window]] = [:]
        for record in records where record.series.metric == metric {
            let existing = result[record.tier.lengthMillis, default: [:]][record.startMillis]
            var window = existing ?? .init()
            switch record.partial {
            case .numeric(let partial):
                window.count += partial.count
                window.increase += partial.increase
                window.resets += partial.resets
            case .state(let partial):
                window.count += partial.count
                for (name, count) in partial.stateCounts { window.stateCounts[name.string, default: 0] += count }
                for (name, millis) in partial.stateMillis { window.stateMillis[name.string, default: 0] += millis }
                window.transitions += partial.transitions
                window.faults =
                    existing == nil
                    ? .init(
                        longest: partial.faults.longestMillis, leading: partial.faults.leadingMillis,
                        trailing: partial.faults.trailingMillis(windowEndMillis: record.endMillis)) : nil
                #expect(partial.upMillis == partial.stateMillis["running"] ?? 0)
                #expect(partial.plannedMillis == partial.stateMillis.values.reduce(0, +))
            }
            result[record.tier.lengthMillis, default: [:]][record.startMillis] = window
        }
        return result
    }

    @Test(arguments: 1...40)
    func shuffledArrivalWithinTheLatenessGivesTheEventOrderResultInEveryTier(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let before = Self.events(from: Self.base + Int64(generator.next(below: 1_000)), count: 150, using: &generator)
        let stopMillis = (before.last?.timestampMillis ?? Self.base) + 1 + Int64(generator.next(below: 30_000))
        let after = Self.events(from: stopMillis, count: 150, using: &generator)
        var feeder = Feeder()
        let first = Self.arrivals(before, using: &generator)
        let checkpointAt = generator.next(below: first.count)
        for (position, event) in first.enumerated() {
            if position == checkpointAt { try feeder.restart() }
            feeder.feed(event)
        }
        let atStop = try feeder.stop(at: stopMillis)
        for event in Self.arrivals(after, using: &generator) { feeder.feed(event) }
        let endMillis = (after.last?.timestampMillis ?? stopMillis) + 4_000
        _ = try feeder.stop(at: endMillis)

        #expect(feeder.outOfOrder >= 20, "the stream must exercise late readings")
        let reference = EventOrderReference(tierLengths: Self.tiers.map(\.lengthMillis), horizonMillis: Self.horizon)
        let counters = reference.counterWindows(feeder.accepted)
        var states = reference.stateWindows(feeder.acceptedStates, endMillis: endMillis)
        let writtenCounters = Self.merged(feeder.written, metric: Self.counter.name)
        let writtenStates = Self.merged(feeder.written, metric: Self.state.name)
        var compared = (transitions: 0, faultWindows: 0)
        for (length, windows) in writtenStates {
            for (start, window) in windows {
                compared.transitions += window.transitions
                if window.faults == nil { states[length, default: [:]][start]?.faults = nil }
                if let faults = window.faults, faults.longest > 0 { compared.faultWindows += 1 }
            }
        }
        #expect(compared.transitions >= 30 && compared.faultWindows >= 10, "the stream must exercise transitions and faults")
        for tier in Self.tiers {
            let length = tier.lengthMillis
            #expect(writtenCounters[length, default: [:]] == counters[length, default: [:]], "counter, tier \(tier.name)")
            #expect(writtenStates[length, default: [:]] == states[length, default: [:]], "state, tier \(tier.name)")
        }

        // The stop's records mark the state in force then, in the window holding its last millisecond.
        let inForce = feeder.acceptedStates.filter { $0.timestampMillis < stopMillis }
            .max { ($0.timestampMillis, $0.arrival) < ($1.timestampMillis, $1.arrival) }
            .flatMap { $0.timestampMillis + Self.horizon > stopMillis ? $0.state : nil }
        for tier in Self.tiers {
            let marked = atStop.filter {
                guard $0.tier == tier, case .state(let partial) = $0.partial else { return false }
                return partial.inForceAtStop != nil
            }
            if let inForce {
                #expect(marked.count == 1, "tier \(tier.name)")
                #expect(marked.first?.startMillis == stopMillis - 1 - (stopMillis - 1) % tier.lengthMillis)
                if case .state(let partial) = marked.first?.partial {
                    #expect(partial.inForceAtStop == .init(timestampMillis: stopMillis, state: inForce))
                }
            } else {
                #expect(marked.isEmpty, "tier \(tier.name)")
            }
        }
    }
}
