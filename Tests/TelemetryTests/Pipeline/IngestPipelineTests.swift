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
}
