import Testing

@testable import Telemetry

@Suite("IngestPipeline")
struct IngestPipelineTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
    ])
    static let now: Int64 = 1_763_712_000_000
    static let topic = "iiot/yen-my/f01/env-0003/telemetry"

    private func makePipeline(_ sink: CollectingSink, maxPayloadBytes: Int = 65_536) throws -> IngestPipeline {
        try .forTesting(sink, catalogue: Self.catalogue) {
            $0.maxPayloadBytes = maxPayloadBytes
            $0.maxReadingsPerMessage = 4
            $0.payloadExcerptBytes = 16
        }
    }

    private func send(_ pipeline: IngestPipeline, _ payload: String, topic: String = topic, at millis: Int64 = now) {
        pipeline.send(topic: topic, payload: payload, receivedAtMillis: millis)
    }

    @Test func everyRejectionHasItsReasonAndEverythingElseIsAggregated() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, maxPayloadBytes: 200)
        let ts = Self.now
        send(pipeline, #"{"seq":1,"ts":\#(ts),"values":{"temperature_c":20,"machine_state":"running"}}"#)
        send(pipeline, #"{"temperature_c":21}"#, topic: "iiot/yen-my/f01")  // topic_mismatch
        send(pipeline, #"{"temperature_c":"#)  // malformed_payload
        send(pipeline, #"{"a":1,"b":2,"c":3,"d":4,"e":5}"#)  // too_many_readings
        send(pipeline, "{\"x\":\"" + String(repeating: "y", count: 300) + "\"}")  // payload_too_large
        send(pipeline, #"{"seq":1,"ts":\#(ts),"values":{"temperature_c":20}}"#)  // duplicate_seq
        send(pipeline, #"{"seq":2,"ts":\#(ts + 1),"values":{"temperature_c":900,"flux":1,"energy_kwh":"n/a","machine_state":7}}"#)
        send(pipeline, #"{"seq":3,"ts":\#(ts + 3_600_000),"values":{"temperature_c":22}}"#)  // future_timestamp
        send(pipeline, #"{"seq":4,"ts":\#(ts - 600_000),"values":{"temperature_c":23}}"#)  // too_late
        send(pipeline, #"{"seq":6,"ts":\#(ts + 2),"values":{"temperature_c":24,"machine_state":"exploded"}}"#)

        let reasons = sink.quarantined.map(\.reason)
        #expect(
            reasons == [
                .topicMismatch, .malformedPayload, .tooManyReadings, .payloadTooLarge, .duplicateSeq,
                .outOfRange, .unknownMetric, .wrongType, .wrongType, .futureTimestamp, .tooLate, .outOfRange,
            ])
        #expect(
            sink.quarantined.map(\.metric) == [
                nil, nil, nil, nil, nil, "temperature_c", "flux", "energy_kwh",
                "machine_state", "temperature_c", "temperature_c", "machine_state",
            ])
        #expect(sink.quarantined[5].detail == "temperature_c = 900 outside [-40, 150]")
        #expect(sink.quarantined[7].detail == "energy_kwh: expected a number, got a string")
        #expect(sink.quarantined[8].detail == "machine_state: expected a state string, got a number")
        #expect(sink.quarantined[11].detail == "machine_state = \"exploded\" is not one of running, idle, fault, off")
        #expect(sink.quarantined[1].payloadExcerpt == #"{"temperature_c":"#.prefix(16).description)
        #expect(sink.quarantined[2].payloadBytes == 31 && sink.quarantined[3].payloadBytes == 308)
        #expect(sink.quarantined[4].seq == 1 && sink.quarantined[4].device?.device == "env-0003")

        let stats = pipeline.stats
        #expect(stats.messages == 10)
        #expect(stats.readingsAccepted == 3)  // 20, running, 24
        #expect(stats.quarantinedTotal == 12)
        #expect(stats.seqMissing == 1)  // seq 5 never came

        pipeline.flushAll()
        let tenSeconds = sink.rollups.filter { $0.tier.name == "10s" }
        let temperature = tenSeconds.filter { $0.series.metric == "temperature_c" }
        #expect(temperature.reduce(0) { $0 + $1.partial.count } == 2)
        #expect(tenSeconds.filter { $0.series.metric == "machine_state" }.reduce(0) { $0 + $1.partial.count } == 1)
        #expect(sink.rollups.allSatisfy { !$0.complete })
    }

    @Test func plainPayloadsUseTheReceiveTime() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        send(pipeline, #"{"temperature_c": 24.5}"#, at: Self.now + 1_234)
        pipeline.flushAll()
        let window = try #require(sink.rollups.first { $0.tier.name == "10s" })
        guard case .numeric(let partial) = window.partial else {
            Issue.record("expected a numeric partial")
            return
        }
        #expect(partial.first == .init(timestampMillis: Self.now + 1_234, value: 24.5))
        #expect(window.startMillis == (Self.now + 1_234) / 10_000 * 10_000)
    }

    @Test func rollupLineHasTheDocumentedShape() throws {
        let series = SeriesKey(
            device: DeviceKey(park: "thang-long-ii", site: "f03", device: "vib-0007"), metric: "vibration_rms_mms")
        var partial = NumericPartial()
        partial.add(3.0, at: 1_763_712_060_412)
        partial.add(3.2, at: 1_763_712_119_380)
        let window = RollupWindow(
            tier: Tier(name: "1m", lengthMillis: 60_000), startMillis: 1_763_712_060_000, series: series,
            kind: .gauge, unit: "mm/s", partial: .numeric(partial), complete: true)
        var line = JSONLineBuilder()
        window.write(to: &line)
        #expect(
            String(decoding: line.bytes, as: UTF8.self) == """
                {"tier":"1m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z","park":"thang-long-ii",\
                "site":"f03","device":"vib-0007","metric":"vibration_rms_mms","kind":"gauge","unit":"mm/s","count":2,\
                "sum":6.2,"min":3.0,"max":3.2,"mean":3.1,"m2":0.020000000000000035,\
                "first":{"ts":"2025-11-21T08:01:00.412Z","v":3.0},"last":{"ts":"2025-11-21T08:01:59.380Z","v":3.2},"complete":true}
                """)
    }

    /// A gauge window with a sketch states p50, p90, p95 and p99 (the rank definition:
    /// element ⌊q · (n − 1)⌋ of the sorted values, within α) and the sketch itself, which
    /// decodes to the window's.
    @Test func aGaugeRecordCarriesItsQuantilesAndSketch() throws {
        let series = SeriesKey(device: DeviceKey(park: "p", site: "s", device: "d"), metric: "t")
        var partial = NumericPartial()
        var sketch = QuantileSketch()
        let values = (1...101).map { Double($0) / 4 }
        for (offset, value) in values.enumerated() {
            partial.add(value, at: 1_763_712_060_000 + Int64(offset))
            try sketch.add(value)
        }
        let window = RollupWindow(
            tier: Tier(name: "1m", lengthMillis: 60_000), startMillis: 1_763_712_060_000, series: series,
            kind: .gauge, unit: "", partial: .numeric(partial), complete: true, sketch: sketch)
        var line = JSONLineBuilder()
        window.write(to: &line)
        let text = String(decoding: line.bytes, as: UTF8.self)
        #expect(text.contains(#""last":{"ts":"2025-11-21T08:01:00.100Z","v":25.25},"p50":"#))
        #expect(text.hasSuffix(#"","complete":true}"#))
        // Read the numbers from the text: Foundation's JSON parser on Linux rounds some doubles.
        func field(_ name: String) -> Substring? {
            guard let range = text.range(of: "\"\(name)\":") else { return nil }
            return text[range.upperBound...].prefix { $0 != "," && $0 != "}" }
        }
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            let written = try #require(field(name).flatMap { Double(String($0)) }, "\(name)")
            let exact = values[Int((q * Double(values.count - 1)).rounded(.down))]
            #expect(written == sketch.quantile(q) && abs(written - exact) <= 0.01 * exact, "\(name): \(written) for \(exact)")
        }
        let encoded = try #require(field("sketch").map { String($0.dropFirst().dropLast()) })
        #expect(try QuantileSketch(encodedText: encoded) == sketch)
    }

    /// The record line of `window`.
    private func line(_ window: RollupWindow) -> String {
        var line = JSONLineBuilder()
        window.write(to: &line)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    /// A machine's states, each reading one message: running, fault from 3 s, fault again at
    /// 5 s (no change), idle at 8 s, fault from 12 s to 25 s (a run across two 10 s windows),
    /// then running. Figures worked out by hand from the documented rules.
    @Test func aStateRecordStatesTransitionsAvailabilityAndFaultRuns() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let states = [(0, "running"), (3, "fault"), (5, "fault"), (8, "idle"), (12, "fault"), (25, "running"), (70, "off")]
        for (seq, (second, state)) in states.enumerated() {
            let ts = Self.now + Int64(second) * 1_000
            send(pipeline, #"{"seq":\#(seq + 1),"ts":\#(ts),"values":{"machine_state":"\#(state)"}}"#, at: ts)
        }
        pipeline.closeWindows(ingestClockMillis: Self.now + 70_000)
        func record(_ tier: String, at second: Int64) throws -> String {
            let window = try #require(sink.rollups.first { $0.tier.name == tier && $0.startMillis == Self.now + second * 1_000 })
            #expect(window.complete)
            return line(window)
        }
        #expect(
            try record("10s", at: 0).contains(
                #""state_ms":{"fault":5000,"idle":2000,"running":3000},"transitions":2,"up_ms":3000,"planned_ms":10000,"#
                    + #""availability":0.3,"longest_fault_ms":5000,"leading_fault_ms":0,"trailing_fault_ms":0,"#))
        #expect(
            try record("10s", at: 10).contains(
                #""transitions":1,"up_ms":0,"planned_ms":10000,"availability":0.0,"longest_fault_ms":8000,"#
                    + #""leading_fault_ms":0,"trailing_fault_ms":8000,"#))
        #expect(
            try record("10s", at: 20).contains(
                #""transitions":1,"up_ms":5000,"planned_ms":10000,"availability":0.5,"longest_fault_ms":5000,"#
                    + #""leading_fault_ms":5000,"trailing_fault_ms":0,"#))
        // The minute: running 3 + 5 + 30 s, fault 5 + 13 s, idle 4 s; the 12–25 s run is one run.
        #expect(
            try record("1m", at: 0).contains(
                #""state_ms":{"fault":18000,"idle":4000,"running":38000},"transitions":4,"up_ms":38000,"#
                    + #""planned_ms":60000,"availability":0.6333333333333333,"longest_fault_ms":13000,"#
                    + #""leading_fault_ms":0,"trailing_fault_ms":0,"#))
    }

    /// A counter's rate is its increase per second of the window: 30 then a reset to 10 is an
    /// increase of 40, 4 per second over 10 s and 0.67 per second over the minute.
    @Test func aCounterRecordStatesItsRatePerSecondOfTheWindow() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        for (seq, (second, value)) in [(1, 100), (4, 130), (7, 10)].enumerated() {
            let ts = Self.now + Int64(second) * 1_000
            send(pipeline, #"{"seq":\#(seq + 1),"ts":\#(ts),"values":{"energy_kwh":\#(value)}}"#, at: ts)
        }
        pipeline.flushAll()
        let lines = Dictionary(uniqueKeysWithValues: sink.rollups.map { ($0.tier.name, line($0)) })
        #expect(lines["10s"]?.contains(#""increase":40.0,"resets":1,"rate":4.0,"complete":false}"#) == true)
        #expect(lines["1m"]?.contains(#""increase":40.0,"resets":1,"rate":0.6666666666666666,"complete":false}"#) == true)
    }
}
