import Testing

@testable import Telemetry

/// Devices silent for `retireAfterMillis` with no state still in force are forgotten, and come
/// back as new devices; the devices that stay are not touched.
@Suite("Device retirement")
struct DeviceRetirementTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C"),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh"),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle"]),
    ])
    static let t0: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z
    static let minute: Int64 = 60_000

    /// Tiers of 10 s and 1 min, the default 5 s of lateness, retirement after 10 minutes of
    /// silence.
    static func pipeline(_ sink: CollectingSink, maxSeries: Int = 1_000) throws -> IngestPipeline {
        try IngestPipeline.forTesting(sink, catalogue: catalogue) {
            $0.tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
            $0.retireAfterMillis = 10 * minute
            $0.stateHorizonMillis = 5 * minute
            $0.maxSeries = maxSeries
        }
    }

    static func send(_ pipeline: IngestPipeline, _ device: String, at millis: Int64, _ values: String, seq: Int? = nil) {
        let sequence = seq.map { #""seq":\#($0),"# } ?? ""
        pipeline.send(
            topic: "iiot/yen-my/f01/\(device)/telemetry", payload: #"{\#(sequence)"ts":\#(millis),"values":{\#(values)}}"#,
            receivedAtMillis: millis)
    }

    /// Closes what is due at `millis` and runs a retirement pass, as the engine's tick does.
    static func tick(_ pipeline: IngestPipeline, at millis: Int64) -> IngestPipeline.Retirement {
        pipeline.closeWindows(ingestClockMillis: millis)
        return pipeline.retireSilentDevices(ingestClockMillis: millis)
    }

    @Test func aDeviceSilentForRetireAfterIsRetiredAndTheOthersStay() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink)
        for second in stride(from: Int64(0), to: 30, by: 5) {
            Self.send(pipeline, "m1", at: Self.t0 + second * 1_000, #""temperature_c":21,"energy_kwh":\#(100 + second)"#)
        }
        var retired = IngestPipeline.Retirement()
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "m2", at: now, #""temperature_c":22"#)
            let pass = Self.tick(pipeline, at: now)
            if minute <= 10 { #expect(pass.devices == 0, "minute \(minute)") }
            retired.devices += pass.devices
            retired.series += pass.series
        }
        // m1's last message came at 25 s: silent 10 min by 10:25, retired at the 11th minute.
        #expect(retired == IngestPipeline.Retirement(devices: 1, series: 2))
        #expect(pipeline.deviceCount == 1 && pipeline.seriesCount == 1)
        #expect(pipeline.stats.devicesRetired == 1 && pipeline.stats.seriesRetired == 2)
    }

    @Test func theDevicesThatStayWriteExactlyWhatTheyWouldHaveWritten() throws {
        // The same stream through a pipeline that retires and one that never does: every line
        // of the device that stays is the same.
        var lines: [[RollupWindow]] = []
        for retireAfter in [10 * Self.minute, 365 * 24 * 60 * Self.minute] {
            let sink = CollectingSink()
            let pipeline = try IngestPipeline.forTesting(sink, catalogue: Self.catalogue) {
                $0.tiers = [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000)]
                $0.retireAfterMillis = retireAfter
            }
            Self.send(pipeline, "gone", at: Self.t0, #""temperature_c":20,"energy_kwh":5"#)
            for second in stride(from: Int64(0), to: 20 * 60, by: 7) {
                let now = Self.t0 + second * 1_000
                Self.send(
                    pipeline, "stays", at: now,
                    #""temperature_c":\#(Double(second % 13) / 2),"energy_kwh":\#(second / 3),"machine_state":"\#(second % 3 == 0 ? "idle" : "running")""#
                )
                if second % 30 == 0 { _ = Self.tick(pipeline, at: now) }
            }
            pipeline.flushAll(stopMillis: Self.t0 + 20 * Self.minute)
            #expect(pipeline.stats.devicesRetired == (retireAfter == 10 * Self.minute ? 1 : 0))
            lines.append(sink.rollups.filter { $0.series.device.device == "stays" })
        }
        #expect(lines[0].count > 100)
        #expect(lines[0] == lines[1])
    }

    @Test func aCounterThatComesBackAfterRetirementStartsAfresh() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink)
        Self.send(pipeline, "meter", at: Self.t0, #""energy_kwh":100"#)
        Self.send(pipeline, "meter", at: Self.t0 + 1_000, #""energy_kwh":110"#)
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "other", at: now, #""temperature_c":22"#)
            _ = Self.tick(pipeline, at: now)
        }
        #expect(pipeline.stats.devicesRetired == 1)
        // Back after 20 minutes with a replaced meter: its first reading adds nothing (as any new
        // counter's), the next one adds its growth; no reset is counted from 110 down to 7.
        let back = Self.t0 + 20 * Self.minute
        Self.send(pipeline, "meter", at: back, #""energy_kwh":7"#)
        Self.send(pipeline, "meter", at: back + 1_000, #""energy_kwh":9.5"#)
        pipeline.flushAll(stopMillis: back + 2_000)
        let tenSecond = sink.rollups.filter { $0.series.device.device == "meter" && $0.tier.name == "10s" }
        let partials = tenSecond.compactMap { window -> NumericPartial? in
            guard case .numeric(let partial) = window.partial else { return nil }
            return partial
        }
        #expect(partials.map(\.count) == [2, 2])
        #expect(partials.map(\.increase) == [10, 2.5])
        #expect(partials.map(\.resets) == [0, 0])
    }

    @Test func seqNumberingStartsAfreshAndPerDeviceCountsAreDropped() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink)
        Self.send(pipeline, "m1", at: Self.t0, #""temperature_c":21"#, seq: 1)
        Self.send(pipeline, "m1", at: Self.t0 + 1_000, #""temperature_c":21"#, seq: 5)
        #expect(pipeline.stats.seqMissingByDevice.count == 1)
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "m2", at: now, #""temperature_c":22"#)
            _ = Self.tick(pipeline, at: now)
        }
        #expect(pipeline.stats.devicesRetired == 1)
        #expect(pipeline.stats.seqMissingByDevice.isEmpty)
        #expect(pipeline.stats.seqMissing == 3)
        // seq 1 again is the first of a new device, not a duplicate nor a restart.
        Self.send(pipeline, "m1", at: Self.t0 + 20 * Self.minute, #""temperature_c":23"#, seq: 1)
        #expect(pipeline.stats.quarantinedTotal == 0)
        #expect(pipeline.stats.seqRestarts == 0)
        #expect(pipeline.stats.readingsAccepted == 2 + 12 + 1)
    }

    @Test func maxSeriesCountsTheLiveSeries() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink, maxSeries: 2)
        Self.send(pipeline, "a", at: Self.t0, #""temperature_c":21"#)
        Self.send(pipeline, "b", at: Self.t0, #""temperature_c":21"#)
        Self.send(pipeline, "c", at: Self.t0 + 1_000, #""temperature_c":21"#)
        #expect(pipeline.stats.quarantined[.cardinalityLimit] == 1)
        // a goes silent; b keeps sending; once a is retired, c is admitted.
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "b", at: now, #""temperature_c":22"#)
            _ = Self.tick(pipeline, at: now)
        }
        #expect(pipeline.stats.devicesRetired == 1)
        Self.send(pipeline, "c", at: Self.t0 + 13 * Self.minute, #""temperature_c":21"#)
        #expect(pipeline.stats.quarantined[.cardinalityLimit] == 1)
        #expect(pipeline.seriesCount == 2)
    }

    @Test func aStateIsNotRetiredWhileItsTimeIsStillCredited() throws {
        let sink = CollectingSink()
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: Self.catalogue) {
            $0.tiers = [Tier(name: "10s", lengthMillis: 10_000)]
            $0.retireAfterMillis = Self.minute
            $0.stateHorizonMillis = 5 * Self.minute
        }
        Self.send(pipeline, "press", at: Self.t0, #""machine_state":"running""#)
        var retiredAt: Int64?
        for second in stride(from: Int64(10), through: 8 * 60, by: 10) {
            let now = Self.t0 + second * 1_000
            Self.send(pipeline, "other", at: now, #""temperature_c":22"#)
            if Self.tick(pipeline, at: now).devices > 0, retiredAt == nil { retiredAt = second }
        }
        // Credited up to the horizon (5 min), its last window closed after the lateness (5 s).
        let retired = try #require(retiredAt)
        #expect(retired > 5 * 60 && retired <= 5 * 60 + 20)
        let credited = sink.rollups.filter { $0.series.device.device == "press" }.reduce(Int64(0)) { total, window in
            guard case .state(let partial) = window.partial else { return total }
            return total + partial.stateMillis.values.reduce(0, +)
        }
        #expect(credited == 5 * Self.minute)
    }

    @Test func aCheckpointAfterRetirementHoldsTheLiveDevicesOnly() throws {
        let sink = CollectingSink()
        let pipeline = try Self.pipeline(sink)
        for device in 0..<50 { Self.send(pipeline, "old-\(device)", at: Self.t0, #""temperature_c":21,"energy_kwh":1"#) }
        var before: [UInt8] = []
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "live", at: now, #""energy_kwh":\#(minute * 10)"#)
            _ = Self.tick(pipeline, at: now)
            if minute == 9 { before = pipeline.checkpointState() }
        }
        #expect(pipeline.stats.devicesRetired == 50)
        let state = pipeline.checkpointState()
        let restored = try Self.pipeline(CollectingSink())
        try restored.restoreState(state)
        #expect(restored.deviceCount == 1 && restored.seriesCount == 1)
        #expect(restored.stats == pipeline.stats)
        // The live counter continues from its previous value in the restored pipeline.
        let after = CollectingSink()
        let continued = try Self.pipeline(after)
        try continued.restoreState(state)
        Self.send(continued, "live", at: Self.t0 + 13 * Self.minute, #""energy_kwh":135"#)
        continued.flushAll(stopMillis: Self.t0 + 14 * Self.minute)
        let increase = after.rollups.filter { $0.tier.name == "10s" && $0.startMillis >= Self.t0 + 13 * Self.minute }
            .compactMap { window -> Double? in
                guard case .numeric(let partial) = window.partial else { return nil }
                return partial.increase
            }
        #expect(increase == [15])
        #expect(state.count * 4 < before.count, "\(state.count) bytes after retirement, \(before.count) before")
    }

    @Test func aDeviceWithAnHourWindowOpenIsRetiredAndTheWindowWrittenCutShort() throws {
        let sink = CollectingSink()
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: Self.catalogue) {
            $0.tiers = [
                Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000),
                Tier(name: "1h", lengthMillis: 3_600_000),
            ]
            $0.retireAfterMillis = 10 * Self.minute
        }
        Self.send(pipeline, "meter", at: Self.t0 + 5_000, #""temperature_c":20,"energy_kwh":100"#)
        Self.send(pipeline, "meter", at: Self.t0 + 6_000, #""temperature_c":22,"energy_kwh":104"#)
        var retiredAt: Int?
        for minute in 1...12 {
            let now = Self.t0 + Int64(minute) * Self.minute
            Self.send(pipeline, "other", at: now, #""temperature_c":22"#)
            if Self.tick(pipeline, at: now).devices > 0 { retiredAt = minute }
        }
        // Silent from 0:00:06, retired at the first pass after 0:10:06, long before its hour ends.
        #expect(retiredAt == 11)
        let meter = sink.rollups.filter { $0.series.device.device == "meter" }
        #expect(meter.filter { $0.tier.name != "1h" }.allSatisfy { $0.complete })
        let hour = meter.filter { $0.tier.name == "1h" }
        #expect(hour.count == 2 && hour.allSatisfy { !$0.complete && $0.startMillis == Self.t0 })
        let figures = hour.compactMap { window -> (count: Int, sum: Double, increase: Double)? in
            guard case .numeric(let partial) = window.partial else { return nil }
            return (partial.count, partial.sum, partial.increase)
        }
        #expect(figures.map(\.count) == [2, 2] && figures.map(\.sum) == [42, 204] && figures.map(\.increase) == [0, 4])
        // Back at 0:30, in the same hour: a new device, whose hour window is another record.
        Self.send(pipeline, "meter", at: Self.t0 + 30 * Self.minute, #""temperature_c":30,"energy_kwh":7"#)
        pipeline.flushAll(stopMillis: Self.t0 + 31 * Self.minute)
        let second = sink.rollups.filter { $0.series.device.device == "meter" && $0.tier.name == "1h" }.dropFirst(2)
        #expect(second.count == 2 && second.allSatisfy { !$0.complete && $0.startMillis == Self.t0 })
        #expect(pipeline.stats.quarantinedTotal == 0 && pipeline.stats.devicesRetired == 1)
    }
}
