import Testing

@testable import Telemetry

/// `closeWindows` visits only the devices that sent and those whose idle time has come
/// (`WindowAggregator+CloseQueue.swift`); it must still leave no window due behind, at any
/// tick, as the scan of every device it replaces did.
@Suite("Close queue")
struct CloseQueueTests {
    static let tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
    static let gauge = MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW")
    static let state = MetricDefinition(name: "machine_state", kind: .state, unit: "")

    @Test func theScheduleGivesBackOnlyWhatIsDueEarliestFirst() {
        var schedule = CloseSchedule()
        var generator = SplitMix64(seed: 7)
        var dues: [Int64] = []
        for device in 0..<500 {
            let due = Int64(generator.next(below: 10_000))
            dues.append(due)
            schedule.insert(device: Int32(device), dueMillis: due)
        }
        var taken: [Int64] = []
        while let entry = schedule.popDue(atOrBefore: 4_999) {
            #expect(dues[Int(entry.device)] == entry.dueMillis)
            taken.append(entry.dueMillis)
        }
        #expect(taken == dues.filter { $0 <= 4_999 }.sorted())
        #expect(schedule.count == dues.count { $0 > 4_999 })
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func noWindowIsLeftDueAfterAnyCloseAndEveryReadingIsWrittenOnce(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var aggregator = WindowAggregator(tiers: Self.tiers, allowedLatenessMillis: 5_000, stateHorizonMillis: 30_000)
        var gaugeSeries: [Int] = []
        var stateSeries: [Int] = []
        for number in 0..<200 {
            let device = aggregator.deviceIndex(for: DeviceKey(park: "p", site: "s", device: "d\(number)"))
            gaugeSeries.append(aggregator.seriesIndex(device: device, definition: Self.gauge))
            stateSeries.append(aggregator.seriesIndex(device: device, definition: Self.state))
        }
        var clock: Int64 = 1_796_083_200_000
        var resumedAt: Int64 = .min
        var added = 0
        var written = 0
        var closes = 0
        for tick in 0..<3_000 {
            // Mostly 50 ms ticks; now and then a gap of up to 2 minutes, or a reconnect.
            clock += generator.next(below: 100) == 0 ? Int64(generator.next(below: 120_000)) : 50
            if generator.next(below: 500) == 0 { resumedAt = clock }
            // A few devices send, with event times up to 4 s behind the receive time.
            let active = tick % 600 < 400 ? 20 : 1
            for _ in 0..<generator.next(below: active + 1) {
                let number = generator.next(below: 200)
                let device = Int(aggregator.series[gaugeSeries[number]].device)
                let event = clock - Int64(generator.next(below: 4_000))
                guard !aggregator.isTooLate(device: device, timestampMillis: event) else { continue }
                aggregator.add(Double(number), at: event, series: gaugeSeries[number])
                aggregator.add(state: number % 2 == 0 ? "running" : "idle", at: event, series: stateSeries[number])
                aggregator.observe(device: device, maxEventMillis: event, receivedAtMillis: clock)
                added += 1
            }
            aggregator.closeWindows(ingestClockMillis: clock, resumedAtMillis: resumedAt) { window in
                closes += 1
                if window.tier.name == "10s", case .numeric(let partial) = window.partial { written += partial.count }
            }
            for device in 0..<aggregator.deviceSlots {
                let due = aggregator.effectiveWatermark(device: device) >= aggregator.devices[device].nextCloseMillis
                #expect(!due, "device \(device) has a window due after tick \(tick)")
                if due { return }
            }
        }
        aggregator.flushAll(stopMillis: clock) { window in
            if window.tier.name == "10s", case .numeric(let partial) = window.partial { written += partial.count }
        }
        #expect(added > 10_000)
        #expect(closes > 5_000)
        #expect(written == added)
        #expect(aggregator.closeSchedule.count <= 2 * aggregator.deviceSlots)
    }

    @Test func aSilentMachinesStateIsCreditedUpToItsHorizonWhenAVisitFallsExactlyOnAWindowsEnd() {
        // The last reading 200 ms before a minute ends; the device is visited exactly when its
        // carried watermark reaches that end (its scheduled instant), so crediting stops there
        // with no window open for the rest of the horizon: the device must be visited again.
        var aggregator = WindowAggregator(tiers: Self.tiers, allowedLatenessMillis: 5_000, stateHorizonMillis: 10_000)
        let device = aggregator.deviceIndex(for: DeviceKey(park: "p", site: "s", device: "press"))
        let series = aggregator.seriesIndex(device: device, definition: Self.state)
        let minuteEnd: Int64 = 1_796_083_260_000
        aggregator.add(state: "running", at: minuteEnd - 200, series: series)
        aggregator.observe(device: device, maxEventMillis: minuteEnd - 200, receivedAtMillis: minuteEnd - 200)
        var credited: [Int64: Int64] = [:]
        var clock = minuteEnd - 200
        while clock <= minuteEnd + 120_000 {
            aggregator.closeWindows(ingestClockMillis: clock) { window in
                if window.tier.name == "10s", case .state(let partial) = window.partial {
                    credited[window.startMillis] = partial.stateMillis.values.reduce(0, +)
                }
            }
            // Ticks land exactly on the instant the watermark reaches the minute's end.
            clock += clock < minuteEnd + 5_000 ? 200 : 1_000
        }
        #expect(credited == [minuteEnd - 10_000: 200, minuteEnd: 9_800])
        #expect(aggregator.openWindowCount == 0)
        #expect(aggregator.isRetirable(device: device, ingestClockMillis: clock, silenceMillis: 60_000))
    }
}
