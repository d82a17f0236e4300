import Testing

@testable import Telemetry

/// The counter and state rules of docs/semantics.md, one test each: event-time order within the
/// allowed lateness, equal timestamps, and a graceful stop and restart.
@Suite("Event order: counter and state rules")
struct EventOrderTests {
    static let tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
    static let device = DeviceKey(park: "yen-my", site: "f01", device: "mch-0001")
    static let counter = MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12)
    static let state = MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"])

    /// An aggregator with one device and its series, fed reading by reading as the pipeline does.
    struct Fixture {
        var aggregator: WindowAggregator
        let device: Int
        let counter: Int
        let state: Int
        var written: [RollupWindow] = []

        init(horizon: Int64 = 300_000) {
            aggregator = WindowAggregator(tiers: EventOrderTests.tiers, allowedLatenessMillis: 5_000, stateHorizonMillis: horizon)
            device = aggregator.deviceIndex(for: EventOrderTests.device)
            counter = aggregator.seriesIndex(device: device, definition: EventOrderTests.counter)
            state = aggregator.seriesIndex(device: device, definition: EventOrderTests.state)
        }

        /// A counter reading at `millis`, then the watermark and the closing as after its message.
        mutating func count(_ value: Double, at millis: Int64) {
            #expect(!aggregator.isTooLate(device: device, timestampMillis: millis))
            aggregator.add(value, at: millis, series: counter)
            advance(to: millis)
        }

        mutating func report(_ name: String, at millis: Int64) {
            #expect(!aggregator.isTooLate(device: device, timestampMillis: millis))
            aggregator.add(state: name, at: millis, series: state)
            advance(to: millis)
        }

        mutating func advance(to millis: Int64) {
            aggregator.observe(device: device, maxEventMillis: millis, receivedAtMillis: millis)
            aggregator.closeWindows(ingestClockMillis: millis) { written.append($0) }
        }

        mutating func stop(at millis: Int64) {
            aggregator.flushAll(stopMillis: millis) { written.append($0) }
        }

        /// The numeric record of `tier` starting at `start` (the first one, when a stop split it).
        func numeric(_ tier: String, _ start: Int64) -> NumericPartial? {
            for record in written where record.tier.name == tier && record.startMillis == start {
                if case .numeric(let partial) = record.partial, record.series.metric == EventOrderTests.counter.name {
                    return partial
                }
            }
            return nil
        }

        func states(_ tier: String, _ start: Int64) -> [StatePartial] {
            written.compactMap { record in
                guard record.tier.name == tier, record.startMillis == start, case .state(let partial) = record.partial
                else { return nil }
                return partial
            }
        }
    }

    /// The per-series record is one cache line and a pending reading 24 bytes: what the
    /// ordering costs in memory (docs/semantics.md).
    @Test func theOrderingKeepsItsRecordsSmall() {
        #expect(MemoryLayout<SeriesState>.size == 64 && MemoryLayout<SeriesState>.stride == 64)
        #expect(MemoryLayout<PendingReading>.stride == 24)
    }

    // MARK: Counters

    @Test func theIssuesLateReadingGivesIncreaseThreeWithNoReset() throws {
        var fixture = Fixture()
        fixture.count(10, at: 1_000)
        fixture.count(12, at: 3_000)
        fixture.count(11, at: 2_000)  // late, within the allowed lateness
        fixture.count(13, at: 4_000)
        fixture.stop(at: 4_000)
        for tier in ["10s", "1m"] {
            let window = try #require(fixture.numeric(tier, 0))
            #expect(window.increase == 3 && window.resets == 0 && window.count == 4)
        }
    }

    @Test func theFirstReadingOfACounterAddsNoIncrease() throws {
        var fixture = Fixture()
        fixture.count(500, at: 1_000)
        fixture.stop(at: 1_000)
        let window = try #require(fixture.numeric("10s", 0))
        #expect(window.increase == 0 && window.resets == 0 && window.count == 1)
    }

    @Test func anEqualValueAddsNothingAndIsNoReset() throws {
        var fixture = Fixture()
        for (time, value) in [(Int64(1_000), 7.0), (2_000, 7), (3_000, 6), (4_000, 6)] { fixture.count(value, at: time) }
        fixture.stop(at: 4_000)
        let window = try #require(fixture.numeric("10s", 0))
        #expect(window.increase == 6 && window.resets == 1)  // 7→7: 0; 7→6: reset, +6; 6→6: 0
    }

    @Test func aCounterGapWritesNoEmptyWindowsAndItsIncreaseGoesToTheReadingAfterIt() throws {
        var fixture = Fixture()
        fixture.count(100, at: 5_000)
        fixture.count(130, at: 47_000)
        fixture.stop(at: 47_000)
        let tenSeconds = fixture.written.filter { $0.tier.name == "10s" && $0.series.metric == Self.counter.name }
        #expect(tenSeconds.map(\.startMillis) == [0, 40_000])
        #expect(try #require(fixture.numeric("10s", 0)).increase == 0)
        #expect(try #require(fixture.numeric("10s", 40_000)).increase == 30)
    }

    @Test func aLateReadingBeforeABoundaryIsThePreviousOfTheNextWindowsFirstReading() throws {
        var fixture = Fixture()
        fixture.count(10, at: 8_000)
        fixture.count(14, at: 11_000)
        fixture.count(12, at: 9_500)  // watermark 6 s: [0 s, 10 s) is still open
        fixture.stop(at: 11_000)
        #expect(try #require(fixture.numeric("10s", 0)).increase == 2)  // 10→12
        #expect(try #require(fixture.numeric("10s", 10_000)).increase == 2)  // 12→14, not 10→14
        #expect(try #require(fixture.numeric("1m", 0)).increase == 4)
    }

    @Test func aLateReadingNeverChangesAWindowAlreadyWritten() throws {
        var fixture = Fixture()
        fixture.count(10, at: 1_000)
        fixture.count(20, at: 16_000)  // watermark 11 s: [0 s, 10 s) is written
        let first = try #require(fixture.numeric("10s", 0))
        #expect(first.increase == 0 && fixture.written.count == 1)
        fixture.count(15, at: 12_000)  // between 1 s and 16 s in event time
        fixture.stop(at: 16_000)
        #expect(fixture.numeric("10s", 0) == first)
        #expect(try #require(fixture.numeric("10s", 10_000)).increase == 10)  // 10→15, 15→20
    }

    @Test func aReadingBeforeTheWatermarkIsTooLateAndNeverAPrevious() throws {
        let sink = CollectingSink()
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: MetricCatalogue([Self.counter], strict: true))
        func send(_ ts: Int64, _ value: String) {
            pipeline.send(
                topic: "iiot/yen-my/f01/mch-0001/telemetry", payload: #"{"ts":\#(ts),"values":{"energy_kwh":\#(value)}}"#,
                receivedAtMillis: ts)
        }
        send(1_000, "10")
        send(9_000, "-5")  // out_of_range
        send(9_500, "\"x\"")  // wrong_type
        send(10_000, "12")  // watermark 5 s
        send(4_000, "1")  // too_late
        send(11_000, "13")
        pipeline.flushAll()
        #expect(sink.quarantined.map(\.reason) == [.outOfRange, .wrongType, .tooLate])
        let tenSeconds = sink.rollups.filter { $0.tier.name == "10s" }
        let increases = tenSeconds.compactMap { record -> Double? in
            if case .numeric(let partial) = record.partial { return partial.increase }
            return nil
        }
        #expect(increases == [0, 3])  // 10 alone; 10→12→13
    }

    @Test func counterReadingsWithEqualTimestampsFollowTheirArrival() throws {
        var fixture = Fixture()
        fixture.count(10, at: 1_000)
        fixture.count(14, at: 2_000)
        fixture.count(12, at: 2_000)
        fixture.stop(at: 2_000)
        let window = try #require(fixture.numeric("10s", 0))
        #expect(window.increase == 16 && window.resets == 1)  // 10→14 (+4), then 14→12 (reset, +12)
        #expect(window.last == .init(timestampMillis: 2_000, value: 12))
    }

    // MARK: States

    @Test func aLateStateReadingSplitsTheTimeWhereItsTimestampPutsIt() throws {
        var fixture = Fixture()
        fixture.report("running", at: 1_000)
        fixture.report("running", at: 8_000)
        fixture.report("fault", at: 4_000)  // late
        fixture.advance(to: 20_000)
        let window = try #require(fixture.states("10s", 0).first)
        #expect(window.stateMillis == ["running": 5_000, "fault": 4_000])  // 1→4 s, 4→8 s, 8→10 s
        #expect(window.stateCounts == ["running": 2, "fault": 1])
    }

    @Test func aStateChangeExactlyAtABoundaryCreditsEachSideToItsWindow() throws {
        var fixture = Fixture()
        fixture.report("idle", at: 5_000)
        fixture.report("running", at: 14_000)
        fixture.report("running", at: 10_000)  // late, exactly at a boundary
        fixture.advance(to: 40_000)
        #expect(try #require(fixture.states("10s", 0).first).stateMillis == ["idle": 5_000])
        let second = try #require(fixture.states("10s", 10_000).first)
        #expect(second.stateMillis == ["running": 10_000] && second.first?.timestampMillis == 10_000)
    }

    @Test func equalStateTimestampsFollowArrivalAndTheEarlierOneLastsNoTime() throws {
        var fixture = Fixture()
        fixture.report("running", at: 1_000)
        fixture.report("idle", at: 3_000)
        fixture.report("fault", at: 3_000)
        fixture.advance(to: 20_000)
        let window = try #require(fixture.states("10s", 0).first)
        #expect(window.stateCounts == ["running": 1, "idle": 1, "fault": 1])
        // No zero entries: idle lasted 0 ms and is not listed in state_ms.
        #expect(window.stateMillis == ["running": 2_000, "fault": 7_000])
        #expect(window.first?.state == "running" && window.last == .init(timestampMillis: 3_000, state: "fault"))
    }

    @Test func aStateLastsAtMostTheHorizon() throws {
        var fixture = Fixture(horizon: 15_000)
        fixture.report("running", at: 0)
        fixture.report("idle", at: 40_000)
        fixture.advance(to: 70_000)
        let minute = try #require(fixture.states("1m", 0).first)
        #expect(minute.stateMillis == ["running": 15_000, "idle": 15_000])
        #expect(fixture.states("10s", 20_000).isEmpty)  // no time, no reading: no window
    }

    // MARK: Stop and restart

    @Test func aGracefulStopCreditsTheRunningStateUpToTheStopAndMarksIt() throws {
        var fixture = Fixture()
        fixture.report("running", at: 1_000)
        fixture.stop(at: 121_000)
        let minute = try #require(fixture.states("1m", 60_000).first)
        #expect(minute.stateMillis == ["running": 60_000] && minute.inForceAtStop == nil)
        let last = try #require(fixture.states("1m", 120_000).first)
        #expect(last.stateMillis == ["running": 1_000] && last.count == 0)
        #expect(last.inForceAtStop == .init(timestampMillis: 121_000, state: "running"))
        let lastTen = try #require(fixture.states("10s", 120_000).first)
        #expect(lastTen.stateMillis == ["running": 1_000] && lastTen.inForceAtStop != nil)
        #expect(fixture.written.allSatisfy { !$0.complete })
    }

    @Test func aStopAfterTheHorizonCreditsTheHorizonAndMarksNothing() throws {
        var fixture = Fixture(horizon: 30_000)
        fixture.report("running", at: 1_000)
        fixture.stop(at: 121_000)
        let minute = try #require(fixture.states("1m", 0).first)
        #expect(minute.stateMillis == ["running": 30_000])
        #expect(
            fixture.written.allSatisfy { record in
                guard case .state(let partial) = record.partial else { return true }
                return partial.inForceAtStop == nil
            })
    }

    @Test func aRestartContinuesFromTheStopWithoutCreditingTwice() throws {
        let sink = CollectingSink()
        let catalogue = MetricCatalogue([Self.state], strict: true)
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: catalogue)
        func send(_ pipeline: IngestPipeline, _ ts: Int64, _ state: String) {
            pipeline.send(
                topic: "iiot/yen-my/f01/mch-0001/telemetry", payload: #"{"ts":\#(ts),"values":{"machine_state":"\#(state)"}}"#,
                receivedAtMillis: ts)
        }
        send(pipeline, 61_000, "running")
        pipeline.flushAll(stopMillis: 90_000)
        let restarted = try IngestPipeline.forTesting(sink, catalogue: catalogue)
        try restarted.restoreState(pipeline.checkpointState())
        send(restarted, 100_000, "idle")
        send(restarted, 95_000, "fault")  // late, after the stop
        send(restarted, 130_000, "idle")
        restarted.flushAll(stopMillis: 130_000)
        var millis: [String: Int64] = [:]
        for record in sink.rollups where record.tier.name == "1m" && record.startMillis == 60_000 {
            if case .state(let partial) = record.partial {
                for (name, value) in partial.stateMillis { millis[name.string, default: 0] += value }
            }
        }
        // running 61→95 s, fault 95→100 s, idle 100→120 s: 59 s in the window, none twice.
        #expect(millis == ["running": 34_000, "fault": 5_000, "idle": 20_000])
    }

    @Test func aStateReadingDelayedAcrossAStopTakesOverFromTheStop() throws {
        var fixture = Fixture()
        fixture.report("running", at: 1_000)
        fixture.stop(at: 20_000)
        fixture.report("fault", at: 500)  // before the state in force: changes nothing
        fixture.report("idle", at: 17_000)  // before the stop: running was already credited to 20 s
        fixture.stop(at: 30_000)
        var millis: [String: Int64] = [:]
        for partial in fixture.states("1m", 0) {
            for (name, value) in partial.stateMillis { millis[name.string, default: 0] += value }
        }
        #expect(millis == ["running": 19_000, "idle": 10_000])
    }

    @Test func aCounterReadingDelayedAcrossAStopIsCountedWithoutIncrease() throws {
        var fixture = Fixture()
        fixture.count(10, at: 1_000)
        fixture.count(14, at: 6_000)
        fixture.stop(at: 6_000)
        fixture.count(12, at: 3_000)  // before the last reading put in order at the stop
        fixture.count(15, at: 7_000)
        fixture.stop(at: 7_000)
        let records = fixture.written.compactMap { record -> NumericPartial? in
            guard record.tier.name == "10s", case .numeric(let partial) = record.partial else { return nil }
            return partial
        }
        #expect(records.map(\.count) == [2, 2])
        #expect(records.map(\.increase) == [4, 1])  // 10→14; 14→15, and 12 neither adds nor is a previous
        #expect(records.map(\.resets) == [0, 0])
    }

    @Test func aCheckpointWithPendingReadingsRestoresTheirOrder() throws {
        let sink = CollectingSink()
        let catalogue = MetricCatalogue([Self.counter, Self.state], strict: true)
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: catalogue)
        func send(_ pipeline: IngestPipeline, _ ts: Int64, _ value: Int, _ state: String) {
            pipeline.send(
                topic: "iiot/yen-my/f01/mch-0001/telemetry",
                payload: #"{"ts":\#(ts),"values":{"energy_kwh":\#(value),"machine_state":"\#(state)"}}"#,
                receivedAtMillis: ts)
        }
        send(pipeline, 1_000, 10, "idle")
        send(pipeline, 3_000, 12, "running")
        let state = pipeline.checkpointState()
        let restored = try IngestPipeline.forTesting(sink, catalogue: catalogue)
        try restored.restoreState(state)
        #expect(restored.checkpointState() == state)
        send(restored, 2_000, 11, "fault")
        send(restored, 4_000, 13, "idle")
        restored.flushAll(stopMillis: 4_000)
        var increase = 0.0
        var millis: [String: Int64] = [:]
        for record in sink.rollups where record.tier.name == "10s" {
            switch record.partial {
            case .numeric(let partial): increase += partial.increase
            case .state(let partial): for (name, value) in partial.stateMillis { millis[name.string, default: 0] += value }
            }
        }
        #expect(increase == 3)
        #expect(millis == ["idle": 1_000, "fault": 1_000, "running": 1_000])
    }
}
