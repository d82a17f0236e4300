import Testing

@testable import Telemetry

@Suite("WindowAggregator")
struct WindowAggregatorTests {
    static let tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
    static let device = DeviceKey(park: "yen-my", site: "f01", device: "mch-0001")
    static let gauge = MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...5000)
    static let counter = MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh")
    static let state = MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle"])

    private func makeAggregator(horizon: Int64 = 300_000) -> WindowAggregator {
        WindowAggregator(tiers: Self.tiers, allowedLatenessMillis: 5_000, stateHorizonMillis: horizon)
    }

    private func close(_ aggregator: inout WindowAggregator, clock: Int64) -> [RollupWindow] {
        var written: [RollupWindow] = []
        aggregator.closeWindows(ingestClockMillis: clock) { written.append($0) }
        return written
    }

    private func numeric(_ window: RollupWindow) -> NumericPartial? {
        if case .numeric(let partial) = window.partial { return partial }
        return nil
    }

    private func state(_ window: RollupWindow) -> StatePartial? {
        if case .state(let partial) = window.partial { return partial }
        return nil
    }

    @Test func gaugeWindowClosesWhenTheWatermarkPassesItsEnd() throws {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.gauge)
        let values: [(Int64, Double)] = [(1_000, 4), (3_000, 8), (2_000, 6), (9_999, 2)]
        for (time, value) in values {
            aggregator.add(value, at: time, series: series)
            aggregator.observe(device: device, maxEventMillis: time, receivedAtMillis: time)
        }
        // Watermark 9_999 − 5_000 < 10_000: nothing closes yet.
        #expect(close(&aggregator, clock: 10_000).isEmpty)
        aggregator.add(5, at: 15_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 15_000, receivedAtMillis: 15_000)
        let written = close(&aggregator, clock: 15_000)
        #expect(written.map(\.tier.name) == ["10s"])
        let window = try #require(written.first)
        #expect(window.startMillis == 0 && window.endMillis == 10_000 && window.complete)
        let partial = try #require(numeric(window))
        #expect(partial.count == 4 && partial.sum == 20 && partial.min == 2 && partial.max == 8)
        #expect(partial.mean == 5)
        #expect(partial.m2 == 20)  // (4-5)² + (8-5)² + (6-5)² + (2-5)²
        #expect(partial.first == .init(timestampMillis: 1_000, value: 4))
        #expect(partial.last == .init(timestampMillis: 9_999, value: 2))
        #expect(aggregator.isTooLate(device: device, timestampMillis: 9_999))
        #expect(!aggregator.isTooLate(device: device, timestampMillis: 10_000))
    }

    @Test func idleDevicesCloseOnIngestTime() {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.gauge)
        aggregator.add(1, at: 12_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 12_000, receivedAtMillis: 12_000)
        #expect(close(&aggregator, clock: 16_999).isEmpty)
        // Idle 5 s: watermark = 12_000 + 5_000 − 5_000 = 12_000; still before 20_000.
        #expect(close(&aggregator, clock: 17_000).isEmpty)
        #expect(close(&aggregator, clock: 25_000).map(\.tier.name) == ["10s"])
        #expect(close(&aggregator, clock: 65_000).map(\.tier.name) == ["1m"])
    }

    /// The delay from the message that moved the watermark past a window's end to the close is
    /// timed once per device close; closes made due by idle time are not timed.
    @Test func closesMadeDueByAMessageAreTimedFromItsReceipt() {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.gauge)
        aggregator.add(1, at: 12_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 12_000, receivedAtMillis: 12_100)
        var written: [RollupWindow] = []
        aggregator.closeWindows(ingestClockMillis: 12_100, nowMillis: 12_150) { written.append($0) }
        #expect(written.isEmpty && aggregator.closeDelays.count == 0)
        // Watermark 25_000 − 5_000 passes the 10 s window's end (20_000) with the message received at 25_070.
        aggregator.add(2, at: 25_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 25_000, receivedAtMillis: 25_070)
        aggregator.add(3, at: 25_500, series: series)
        aggregator.observe(device: device, maxEventMillis: 25_500, receivedAtMillis: 25_090)
        aggregator.closeWindows(ingestClockMillis: 25_090, nowMillis: 25_112) { written.append($0) }
        #expect(written.map(\.tier.name) == ["10s"])
        #expect(aggregator.closeDelays.count == 1 && aggregator.closeDelays.quantile(0.99) == 42)
        // Idle: the device goes silent; its 1 m window closes on ingest time, untimed.
        aggregator.closeWindows(ingestClockMillis: 70_000, nowMillis: 70_000) { written.append($0) }
        #expect(written.map(\.tier.name) == ["10s", "10s", "1m"])
        #expect(aggregator.closeDelays.count == 1)
    }

    @Test func closeDelayQuantilesAreExactToTheMillisecondBelowASecond() {
        var histogram = CloseDelayHistogram()
        #expect(histogram.quantile(0.5) == nil)
        for delay in 1...100 { histogram.record(Int64(delay)) }
        #expect(histogram.quantile(0.5) == 50 && histogram.quantile(0.99) == 99 && histogram.quantile(1) == 100)
        histogram.record(3_000)
        histogram.record(-5)
        #expect(histogram.count == 102 && histogram.maxMillis == 3_000)
        #expect(histogram.quantile(1) == 3_000, "above a second: the bucket's bound [2048, 4095], capped by the maximum")
        #expect(histogram.quantile(0) == 0)
    }

    /// After a gap in receiving (gateway restart, reconnect, storage stall), the first queued
    /// message to arrive moves the ingest clock past the gap; a device whose queued messages are
    /// still on their way must not be taken for idle over the gap.
    @Test func idleTimeCountsFromWhenReceivingResumed() {
        var aggregator = makeAggregator()
        let quiet = aggregator.deviceIndex(for: Self.device)
        let quietSeries = aggregator.seriesIndex(device: quiet, definition: Self.gauge)
        aggregator.add(1, at: 12_000, series: quietSeries)
        aggregator.observe(device: quiet, maxEventMillis: 12_000, receivedAtMillis: 12_000)
        // Receiving resumed at 30_000; the ingest clock is there at once.
        var written: [RollupWindow] = []
        aggregator.closeWindows(ingestClockMillis: 30_000, resumedAtMillis: 30_000) { written.append($0) }
        #expect(written.isEmpty)
        #expect(!aggregator.isTooLate(device: quiet, timestampMillis: 13_000), "idle over the gap")
        // Still silent a whole allowed lateness after resuming: idle from 30_000.
        aggregator.closeWindows(ingestClockMillis: 43_000, resumedAtMillis: 30_000) { written.append($0) }
        #expect(written.map(\.tier.name) == ["10s"])
        #expect(aggregator.isTooLate(device: quiet, timestampMillis: 19_999))
        #expect(!aggregator.isTooLate(device: quiet, timestampMillis: 20_000))
        // Without the resume point the same clock would have carried the watermark over the gap.
        var naive = makeAggregator()
        let device = naive.deviceIndex(for: Self.device)
        let series = naive.seriesIndex(device: device, definition: Self.gauge)
        naive.add(1, at: 12_000, series: series)
        naive.observe(device: device, maxEventMillis: 12_000, receivedAtMillis: 12_000)
        #expect(close(&naive, clock: 30_000).map(\.tier.name) == ["10s"])
        #expect(naive.isTooLate(device: device, timestampMillis: 13_000))
    }

    @Test func counterIncreaseCountsResetsFromZero() throws {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.counter)
        for (time, value) in [(Int64(1_000), 10.0), (11_000, 15), (12_000, 3), (13_000, 8)] {
            aggregator.add(value, at: time, series: series)
        }
        var written: [RollupWindow] = []
        aggregator.flushAll { written.append($0) }
        let windows = Dictionary(uniqueKeysWithValues: written.map { ("\($0.tier.name)@\($0.startMillis)", $0) })
        let first = try #require(windows["10s@0"].flatMap(numeric))
        #expect(first.increase == 0 && first.resets == 0)
        let second = try #require(windows["10s@10000"].flatMap(numeric))
        #expect(second.increase == 13 && second.resets == 1)  // 10→15 (+5), 15→3 (reset, +3), 3→8 (+5)
        let minute = try #require(windows["1m@0"].flatMap(numeric))
        #expect(minute.increase == 13 && minute.resets == 1 && minute.count == 4)
        #expect(written.allSatisfy { !$0.complete })
    }

    @Test func stateTimeIsSplitAcrossWindowsAndTiers() throws {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.state)
        aggregator.add(state: "running", at: 5_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 5_000, receivedAtMillis: 5_000)
        aggregator.add(state: "idle", at: 25_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 25_000, receivedAtMillis: 25_000)
        aggregator.add(state: "idle", at: 70_000, series: series)
        aggregator.observe(device: device, maxEventMillis: 70_000, receivedAtMillis: 70_000)
        let written = close(&aggregator, clock: 70_000)  // watermark 65_000
        let byWindow = Dictionary(uniqueKeysWithValues: written.map { ("\($0.tier.name)@\($0.startMillis)", $0) })
        #expect(byWindow.keys.sorted() == ["10s@0", "10s@10000", "10s@20000", "10s@30000", "10s@40000", "10s@50000", "1m@0"])
        #expect(try #require(byWindow["10s@0"].flatMap(state)).stateMillis == ["running": 5_000])
        #expect(try #require(byWindow["10s@10000"].flatMap(state)).stateMillis == ["running": 10_000])
        let third = try #require(byWindow["10s@20000"].flatMap(state))
        #expect(third.stateMillis == ["running": 5_000, "idle": 5_000])
        #expect(third.stateCounts == ["idle": 1] && third.count == 1)
        let empty = try #require(byWindow["10s@30000"].flatMap(state))
        #expect(empty.count == 0 && empty.first == nil && empty.stateMillis == ["idle": 10_000])
        let minute = try #require(byWindow["1m@0"].flatMap(state))
        #expect(minute.stateMillis == ["running": 20_000, "idle": 35_000])
        #expect(minute.stateCounts == ["running": 1, "idle": 1])
    }

    @Test func stateTimeStopsAtTheHorizon() throws {
        var aggregator = makeAggregator(horizon: 15_000)
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.state)
        aggregator.add(state: "running", at: 0, series: series)
        aggregator.add(state: "idle", at: 40_000, series: series)
        var written: [RollupWindow] = []
        aggregator.flushAll { written.append($0) }
        let minute = try #require(written.first { $0.tier.name == "1m" }.flatMap(state))
        #expect(minute.stateMillis == ["running": 15_000])
        #expect(minute.stateCounts == ["running": 1, "idle": 1])
    }

    @Test func coarserTiersEqualMergedFinerWindows() throws {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let gauge = aggregator.seriesIndex(device: device, definition: Self.gauge)
        let counter = aggregator.seriesIndex(device: device, definition: Self.counter)
        var generator = SplitMix64(seed: 7)
        var total = 0.0
        for step in 0..<1_000 {
            let time = Int64(step) * 173 + Int64(generator.next() % 100)
            aggregator.add(Double(generator.next() % 10_000) / 100, at: time, series: gauge)
            total += Double(generator.next() % 50) / 10
            if step % 97 == 96 { total = 0 }
            aggregator.add(total, at: time, series: counter)
        }
        var written: [RollupWindow] = []
        aggregator.flushAll { written.append($0) }
        for metric in ["power_kw", "energy_kwh"] {
            let minutes = written.filter { $0.tier.name == "1m" && $0.series.metric == metric }
            #expect(!minutes.isEmpty)
            for minute in minutes {
                var merged = NumericPartial()
                for window in written
                where window.tier.name == "10s" && window.series.metric == metric
                    && window.startMillis >= minute.startMillis && window.endMillis <= minute.endMillis
                {
                    merged.merge(try #require(numeric(window)))
                }
                let expected = try #require(numeric(minute))
                #expect(merged.count == expected.count && merged.min == expected.min && merged.max == expected.max)
                #expect(merged.first == expected.first && merged.last == expected.last && merged.resets == expected.resets)
                #expect(abs(merged.sum - expected.sum) <= 1e-9 * abs(expected.sum))
                #expect(abs(merged.m2 - expected.m2) <= 1e-9 * max(1, abs(expected.m2)))
                #expect(abs(merged.increase - expected.increase) <= 1e-9 * max(1, abs(expected.increase)))
            }
        }
    }

    /// A list keeps its first window in its home slot and further ones in shared slots; the
    /// home is reused once its window is written, and every window keeps its own aggregate.
    @Test func windowsBeyondTheHomeSlotKeepTheirOwnAggregates() {
        var aggregator = makeAggregator()
        let device = aggregator.deviceIndex(for: Self.device)
        let series = aggregator.seriesIndex(device: device, definition: Self.gauge)
        func add(_ readings: [(Int64, Double)]) {
            for (time, value) in readings {
                aggregator.add(value, at: time, series: series)
                aggregator.observe(device: device, maxEventMillis: time, receivedAtMillis: time)
            }
        }
        // 10 s windows [0, 10 s) in the home, [10 s, 20 s) and [20 s, 30 s) in shared slots; no
        // 1 m window until a 10 s window is merged into it.
        add([(8_000, 1), (9_000, 3), (11_000, 5), (12_000, 7), (21_000, 9)])
        #expect(aggregator.openWindowCount == 3)
        // Watermark 16 s: [0, 10 s) is written, frees the home and opens the 1 m window.
        let first = close(&aggregator, clock: 21_000)
        #expect(first.map(\.startMillis) == [0])
        #expect(first.compactMap(numeric).map(\.sum) == [4])
        #expect(aggregator.openWindowCount == 3)
        // 17 s (not late once 22 s moved the watermark to 17 s) goes to the older shared
        // window; [30 s, 40 s) takes the home again.
        add([(22_000, 11), (17_000, 17), (31_000, 13)])
        #expect(aggregator.openWindowCount == 4)
        var written: [RollupWindow] = []
        aggregator.flushAll { written.append($0) }
        let tenSeconds = written.filter { $0.tier.name == "10s" }
        #expect(tenSeconds.map(\.startMillis) == [10_000, 20_000, 30_000])
        #expect(tenSeconds.compactMap(numeric).map(\.sum) == [29, 20, 13])
        #expect(tenSeconds.compactMap(numeric).map(\.count) == [3, 2, 1])
        let minutes = written.filter { $0.tier.name == "1m" }.compactMap(numeric)
        #expect(minutes.map(\.count) == [8] && minutes.map(\.sum) == [66])
        #expect(aggregator.openWindowCount == 0)
    }
}
