import Testing

@testable import Telemetry

/// Generations of devices replacing one another: retired devices' slots are reused in place,
/// the tables stay at the live size, and no device writes anything other than what it writes
/// in a gateway that never retires.
@Suite("Device churn")
struct DeviceChurnTests {
    static let catalogue = DeviceRetirementTests.catalogue
    static let t0 = DeviceRetirementTests.t0
    static let minute = DeviceRetirementTests.minute

    static func pipeline(_ sink: CollectingSink, retireAfterMillis: Int64) throws -> IngestPipeline {
        try IngestPipeline.forTesting(sink, catalogue: catalogue) {
            $0.tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
            $0.retireAfterMillis = retireAfterMillis
            $0.stateHorizonMillis = minute
            $0.maxSeries = 100_000
        }
    }

    /// Generation `generation`'s devices (a new id each) each send for two minutes from the
    /// generation's start, every 15 s, with values made from their number, then fall silent;
    /// a generation starts every 6 minutes, after the last one's quiet ones. Every device reports a gauge and, by its number, a
    /// counter or a machine state, so that retired series of both pools are reused.
    static func publish(
        _ pipeline: IngestPipeline, generations: Int, devicesPerGeneration: Int,
        afterEachTick: (IngestPipeline, Int64) throws -> Void = { _, _ in }
    ) rethrows {
        for generation in 0..<generations {
            let start = t0 + Int64(generation) * 6 * minute
            for step in 0..<16 {
                let now = start + Int64(step) * 15_000
                for number in 0..<devicesPerGeneration {
                    let id = generation * devicesPerGeneration + number
                    let second =
                        id % 2 == 0
                        ? #""energy_kwh":\#(id + step * 3)"# : #""machine_state":"\#(step % 4 == 0 ? "idle" : "running")""#
                    pipeline.send(
                        topic: "iiot/yen-my/f01/m-\(id)/telemetry",
                        payload:
                            #"{"seq":\#(step),"ts":\#(now),"values":{"temperature_c":\#(Double(id % 40) + Double(step) / 4),\#(second)}}"#,
                        receivedAtMillis: now)
                }
                pipeline.closeWindows(ingestClockMillis: now)
                _ = pipeline.retireSilentDevices(ingestClockMillis: now)
                try afterEachTick(pipeline, now)
            }
            // Two quiet minutes, ticking every 15 s.
            for step in 16..<24 {
                let now = start + Int64(step) * 15_000
                pipeline.closeWindows(ingestClockMillis: now)
                _ = pipeline.retireSilentDevices(ingestClockMillis: now)
                try afterEachTick(pipeline, now)
            }
        }
        pipeline.flushAll(stopMillis: t0 + Int64(generations) * 6 * minute)
    }

    @Test func everyDeviceWritesWhatItWritesInAGatewayThatNeverRetires() throws {
        let churned = CollectingSink()
        let retiring = try Self.pipeline(churned, retireAfterMillis: Self.minute)
        var mostSlots = 0
        Self.publish(retiring, generations: 6, devicesPerGeneration: 40) { pipeline, _ in
            mostSlots = max(mostSlots, pipeline.aggregator.deviceSlots)
        }
        let kept = CollectingSink()
        let neverRetiring = try Self.pipeline(kept, retireAfterMillis: 365 * 24 * 60 * Self.minute)
        try Self.publish(neverRetiring, generations: 6, devicesPerGeneration: 40)

        #expect(retiring.stats.devicesRetired == 240 && retiring.stats.seriesRetired == 480)
        #expect(retiring.stats.quarantinedTotal == 0)
        #expect(churned.rollups.count > 240 * 2 * 15)
        // A device retires a minute after its last reading, its state's horizon (a minute) past:
        // its last `1m` window, which the gateway that never retires writes 15 s later, is written
        // cut short. Otherwise every window is the same.
        let cutShort = churned.rollups.filter { !$0.complete }
        #expect(cutShort.count > 0 && cutShort.allSatisfy { $0.tier.name == "1m" })
        #expect(Self.differences(churned.rollups, kept.rollups, ignoringCompleteness: true) == [])
        // A generation retires before the next one starts: one generation's slots are reused.
        #expect(mostSlots == 40)
        #expect(retiring.aggregator.series.count == 80)
    }

    @Test func topicsOfRetiredDevicesNameNewDevicesAndTheAliasTableFollowsTheLiveOnes() throws {
        // 1,100 devices per generation, so that the retired aliases pass the rebuild threshold.
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink, retireAfterMillis: Self.minute)
        var mostAliases = 0
        Self.publish(pipeline, generations: 3, devicesPerGeneration: 1_100) { pipeline, _ in
            mostAliases = max(mostAliases, pipeline.aggregator.aliasDevices.count)
        }
        #expect(pipeline.stats.devicesRetired == 3 * 1_100)
        // Without the rebuild, the table would hold every topic ever seen (3,300).
        #expect(mostAliases == 1_100, "one generation's topics at a time")
        let readingsPerDevice = sink.rollups.filter { $0.tier.name == "1m" && $0.series.metric == "temperature_c" }
            .reduce(into: [String: Int]()) { counts, window in
                guard case .numeric(let partial) = window.partial else { return }
                counts[window.series.device.device, default: 0] += partial.count
            }
        #expect(readingsPerDevice.count == 3 * 1_100)
        #expect(readingsPerDevice.values.allSatisfy { $0 == 16 })
    }

    @Test func theSameTopicAfterRetirementIsANewDeviceOfTheSameName() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink, retireAfterMillis: Self.minute)
        pipeline.send(
            topic: "iiot/yen-my/f01/m1/telemetry", payload: #"{"ts":\#(Self.t0),"values":{"temperature_c":20}}"#,
            receivedAtMillis: Self.t0)
        for minute in 1...3 {
            let now = Self.t0 + Int64(minute) * Self.minute
            pipeline.closeWindows(ingestClockMillis: now)
            _ = pipeline.retireSilentDevices(ingestClockMillis: now)
        }
        #expect(pipeline.deviceCount == 0 && pipeline.stats.devicesRetired == 1)
        let back = Self.t0 + 4 * Self.minute
        pipeline.send(
            topic: "iiot/yen-my/f01/m1/telemetry", payload: #"{"ts":\#(back),"values":{"temperature_c":30}}"#,
            receivedAtMillis: back)
        #expect(pipeline.deviceCount == 1 && pipeline.aggregator.deviceSlots == 1)
        pipeline.flushAll(stopMillis: back + 1_000)
        let last = try #require(sink.rollups.last { $0.tier.name == "10s" })
        #expect(last.series == SeriesKey(device: DeviceKey(park: "yen-my", site: "f01", device: "m1"), metric: "temperature_c"))
        #expect(last.startMillis == back)
    }

    @Test func compactionAfterAPeakShrinksTheTablesAndChangesNoRollup() throws {
        // 2,000 devices at once, then 100: the tables are sparse, and compacting them halfway
        // through the next generation changes nothing the devices write.
        var outputs: [[RollupWindow]] = []
        for compacting in [false, true] {
            let sink = CollectingSink()
            let pipeline = try Self.pipeline(sink, retireAfterMillis: Self.minute)
            var compactedAt: Int?
            try Self.publish(pipeline, generations: 1, devicesPerGeneration: 2_000)
            try Self.publishSecondGeneration(pipeline) { pipeline, step in
                guard compacting, step == 6 else { return }
                #expect(pipeline.isSparse)
                try pipeline.compact()
                compactedAt = pipeline.aggregator.deviceSlots
                #expect(!pipeline.isSparse)
            }
            if compacting { #expect(compactedAt == 100) }
            outputs.append(sink.rollups)
        }
        #expect(outputs[0].count > 100 * 2 * 15)
        #expect(Self.differences(outputs[0], outputs[1]) == [])
    }

    /// The windows (series, tier and start) written differently, or by one side only, in
    /// `left` and `right` (with `ignoringCompleteness`, a record cut short counts as the whole
    /// window); at most ten.
    static func differences(
        _ left: [RollupWindow], _ right: [RollupWindow], ignoringCompleteness: Bool = false
    ) -> [String] {
        var (left, right) = (byWindow(left), byWindow(right))
        if ignoringCompleteness {
            for key in left.keys { left[key]?.complete = true }
            for key in right.keys { right[key]?.complete = true }
        }
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted().prefix(10).map { $0 }
    }

    /// Rollups by series, tier and start (each written once): the devices' order in the log
    /// follows their slots, which retirement reuses.
    static func byWindow(_ rollups: [RollupWindow]) -> [String: RollupWindow] {
        var windows: [String: RollupWindow] = [:]
        for window in rollups {
            let key = "\(window.series.device.device)/\(window.series.metric)/\(window.tier.name)/\(window.startMillis)"
            #expect(windows[key] == nil, "\(key) written twice")
            windows[key] = window
        }
        return windows
    }

    /// 100 devices after `publish`'s 2,000 (ids from 5,000), sending every 15 s for 2 minutes.
    static func publishSecondGeneration(_ pipeline: IngestPipeline, atStep: (IngestPipeline, Int) throws -> Void) rethrows {
        let start = t0 + 10 * minute
        for step in 0..<8 {
            let now = start + Int64(step) * 15_000
            for id in 5_000..<5_100 {
                pipeline.send(
                    topic: "iiot/yen-my/f01/m-\(id)/telemetry",
                    payload: #"{"seq":\#(step),"ts":\#(now),"values":{"temperature_c":\#(id % 7),"energy_kwh":\#(step * 2)}}"#,
                    receivedAtMillis: now)
            }
            pipeline.closeWindows(ingestClockMillis: now)
            _ = pipeline.retireSilentDevices(ingestClockMillis: now)
            try atStep(pipeline, step)
        }
        pipeline.flushAll(stopMillis: start + 3 * minute)
    }
}
