import Foundation
import Testing

@testable import Telemetry

/// Input crafted to break the pipeline's arithmetic, its memory or its accounting: each case is
/// handled with a specific outcome and exact figures, and nothing traps.
@Suite("Hostile input")
struct HostileInputTests {
    static let now: Int64 = 1_763_712_000_000
    static let topic = "iiot/p/s/d/telemetry"

    private func makePipeline(
        _ sink: CollectingSink, maxNameBytes: Int = 128, acceptRetained: Bool = false, maxPayloadBytes: Int = 65_536
    ) throws -> IngestPipeline {
        let catalogue = MetricCatalogue([MetricDefinition(name: "machine_state", kind: .state, unit: "")], strict: false)
        return try .forTesting(sink, catalogue: catalogue) {
            $0.maxPayloadBytes = maxPayloadBytes
            $0.maxNameBytes = maxNameBytes
            $0.acceptRetained = acceptRetained
        }
    }

    @Test func aSequenceJumpToTheLargestNumberSaturatesInsteadOfTrapping() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        for seq in ["0", "2", "18446744073709551615", "18446744073709551614"] {
            pipeline.send(topic: Self.topic, payload: "{\"seq\":\(seq),\"x\":1}", receivedAtMillis: Self.now)
        }
        #expect(pipeline.stats.readingsAccepted == 4)
        // 1, then 2⁶⁴ − 4 held at Int64.max, then one gap filled.
        #expect(pipeline.stats.seqMissing == Int64.max - 1)
        #expect(pipeline.stats.seqMissingByDevice[DeviceKey(park: "p", site: "s", device: "d")] == Int64.max - 1)
        #expect(sink.quarantined.isEmpty)
    }

    @Test func numbersBelowTheFirstAreNotFilledGaps() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        for seq in [100, 50, 49, 102, 101, 50] {
            pipeline.send(topic: Self.topic, payload: "{\"seq\":\(seq),\"x\":1}", receivedAtMillis: Self.now)
        }
        // 100, 50, 49 are new; 102 skips 101, which then fills the gap; the second 50 is a duplicate.
        #expect(pipeline.stats.readingsAccepted == 5)
        #expect(pipeline.stats.seqMissing == 0)
        #expect(pipeline.stats.seqMissingByDevice.isEmpty)
        #expect(sink.quarantined.map(\.reason) == [.duplicateSeq])
    }

    @Test func theSequenceStartSurvivesACheckpoint() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        pipeline.send(topic: Self.topic, payload: #"{"seq":100,"x":1}"#, receivedAtMillis: Self.now)
        let restored = try makePipeline(CollectingSink())
        try restored.restoreState(pipeline.checkpointState())
        #expect(restored.checkpointState() == pipeline.checkpointState())
        restored.send(topic: Self.topic, payload: #"{"seq":50,"x":1}"#, receivedAtMillis: Self.now)
        #expect(restored.stats.seqMissing == 0)
    }

    @Test func magnitudesBeyondTheLimitAreOutOfRangeAndWindowsStayFinite() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let payloads = [#"{"x":1e100}"#, #"{"x":1e100}"#, #"{"x":-1e100}"#, #"{"x":2e101}"#, #"{"x":1e999}"#]
        for payload in payloads { pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now) }
        pipeline.flushAll()
        #expect(pipeline.stats.readingsAccepted == 3)
        #expect(sink.quarantined.map(\.reason) == [.outOfRange, .outOfRange])
        #expect(
            sink.quarantined.map(\.detail) == [
                "x = 2e+101 is beyond ±1e100, the largest magnitude aggregated (a window's sum and variance must stay finite)",
                "x is not a finite number",
            ])
        var line = JSONLineBuilder()
        for rollup in sink.rollups {
            guard case .numeric(let partial) = rollup.partial else { continue }
            #expect(partial.count == 3 && partial.sum == 1e100 && partial.m2.isFinite && partial.mean.isFinite)
            rollup.write(to: &line)
            #expect(!String(decoding: line.bytes, as: UTF8.self).contains("null"))
        }
        #expect(sink.rollups.count == 3)
    }

    @Test func namesLongerThanTheLimitAreQuarantined() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, maxNameBytes: 16)
        let long = String(repeating: "é", count: 9)  // 18 bytes
        pipeline.send(topic: "iiot/p/s/\(long)/telemetry", payload: #"{"x":1}"#, receivedAtMillis: Self.now)
        pipeline.send(topic: Self.topic, payload: "{\"\(long)\":1,\"x\":2}", receivedAtMillis: Self.now)
        pipeline.send(topic: Self.topic, payload: "{\"machine_state\":\"\(long)\"}", receivedAtMillis: Self.now)
        pipeline.send(
            topic: Self.topic, payload: #"{"a\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9":1}"#, receivedAtMillis: Self.now)
        #expect(sink.quarantined.map(\.reason) == [.nameTooLong, .nameTooLong, .nameTooLong])
        #expect(
            sink.quarantined.map(\.detail) == [
                "device name of 18 bytes exceeds ingest.max_name_bytes (16)",
                "metric name of 18 bytes exceeds ingest.max_name_bytes (16)",
                "state name of 18 bytes exceeds ingest.max_name_bytes (16)",
            ])
        #expect(sink.quarantined[1].metric == String(repeating: "é", count: 8) + "…")
        // 15 bytes once unescaped: accepted, like "x".
        #expect(pipeline.stats.readingsAccepted == 2)
        #expect(pipeline.seriesCount == 2)
    }

    @Test func retainedMessagesAreSkippedAndCountedUnlessAdmitted() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        pipeline.send(topic: Self.topic, payload: #"{"x":1}"#, receivedAtMillis: Self.now, retained: true)
        pipeline.send(topic: Self.topic, payload: "not json", receivedAtMillis: Self.now, retained: true)
        pipeline.send(topic: Self.topic, payload: #"{"x":1}"#, receivedAtMillis: Self.now)
        #expect(pipeline.stats.messages == 3 && pipeline.stats.retainedSkipped == 2)
        #expect(pipeline.stats.readingsAccepted == 1 && sink.quarantined.isEmpty)
        let restored = try makePipeline(CollectingSink())
        try restored.restoreState(pipeline.checkpointState())
        #expect(restored.stats.retainedSkipped == 2)

        let admitting = try makePipeline(CollectingSink(), acceptRetained: true)
        admitting.send(topic: Self.topic, payload: #"{"x":1}"#, receivedAtMillis: Self.now, retained: true)
        #expect(admitting.stats.readingsAccepted == 1 && admitting.stats.retainedSkipped == 0)
    }

    @Test func aCutPayloadIsRecordedWithItsFullSize() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, maxPayloadBytes: 1_024)
        pipeline.send(topic: Self.topic, payload: "{\"x\":", receivedAtMillis: Self.now, payloadBytes: 40 << 20)
        #expect(sink.quarantined.map(\.reason) == [.payloadTooLarge])
        #expect(sink.quarantined.first?.payloadBytes == 41_943_040)
        #expect(sink.quarantined.first?.detail == "payload of 41943040 bytes exceeds the limit of 1024 bytes")
    }

    @Test func aPoisonMessageIsQuarantinedUnread() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let topic = Array(Self.topic.utf8)
        let payload = Array(#"{"x":1}"#.utf8)
        topic.withUnsafeBytes { topic in
            payload.withUnsafeBytes { payload in
                pipeline.quarantinePoison(
                    topic: topic, payload: payload, receivedAtNanos: Self.now * 1_000_000, detail: "died twice")
            }
        }
        #expect(pipeline.stats.messages == 1 && pipeline.stats.quarantined == [.poisonMessage: 1])
        #expect(sink.quarantined.map(\.payloadExcerpt) == [#"{"x":1}"#])
        #expect(sink.quarantined.first?.topic == Self.topic)
    }
}

@Suite("Bounded quarantine")
struct BoundedQuarantineTests {
    @Test func rejectedReadingsBeyondTheThresholdShareOneRecord() throws {
        let sink = CollectingSink()
        let catalogue = MetricCatalogue(
            (1...5).map { MetricDefinition(name: "t\($0)", kind: .gauge, unit: "", validRange: 0...10) }, strict: true)
        let pipeline = try IngestPipeline.forTesting(sink, catalogue: catalogue)
        let unknown = (0..<995).map { "\"m\($0)\":1" }
        let payload =
            "{" + (unknown + [#""t1":"x""#, #""t2":50"#, #""t3":5"#, #""t4":60"#, #""t5":70"#]).joined(separator: ",") + "}"
        pipeline.send(topic: HostileInputTests.topic, payload: payload, receivedAtMillis: HostileInputTests.now)
        #expect(pipeline.stats.readingsAccepted == 1)
        #expect(pipeline.stats.quarantined == [.unknownMetric: 995, .wrongType: 1, .outOfRange: 3])
        #expect(sink.quarantined.count == 11)
        #expect(sink.quarantined.prefix(10).allSatisfy { $0.reason == .unknownMetric && $0.readings == nil })
        let summary = try #require(sink.quarantined.last)
        #expect(summary.reason == .unknownMetric && summary.readings == 989 && summary.metric == nil)
        #expect(
            summary.detail
                == "989 more rejected readings in this message (unknown_metric 985, out_of_range 3, wrong_type 1); only the first 10 are written one by one"
        )
    }

    @Test func aRecordLongerThanTheLimitHasItsTextCut() throws {
        let state = String(repeating: "ộ", count: 20_000)  // 60 KB
        let record = QuarantineRecord(
            receivedAtMillis: HostileInputTests.now, topic: HostileInputTests.topic, reason: .outOfRange,
            detail: "machine_state = \"\(state)\" is not one of running, idle",
            payloadExcerpt: String(repeating: "\u{1}", count: 512),
            payloadBytes: 60_050, device: DeviceKey(park: "p", site: "s", device: "d"), metric: "machine_state")
        var line = JSONLineBuilder()
        record.write(to: &line, maxBytes: 4_096)
        #expect(line.bytes.count <= 4_096)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.bytes)) as? [String: Any])
        #expect(object["cut"] as? Bool == true)
        #expect(object["payload_bytes"] as? Int == 60_050)
        #expect(object["metric"] as? String == "machine_state")
        #expect((object["detail"] as? String)?.hasPrefix("machine_state = \"ộộ") == true)
        #expect((object["detail"] as? String)?.hasSuffix("…") == true)

        record.write(to: &line)
        #expect(line.bytes.count > 60_000)
        var short = record
        short.detail = "x = 1"
        short.payloadExcerpt = "{}"
        short.write(to: &line, maxBytes: 4_096)
        #expect(!String(decoding: line.bytes, as: UTF8.self).contains("\"cut\""))
    }
}

@Suite("JSON conformance")
struct JSONConformanceTests {
    @Test func aRepeatedMetricInOneObjectIsQuarantinedAndTheFirstKept() throws {
        let sink = CollectingSink()
        let pipeline = IngestPipeline(
            settings: PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern)),
            catalogue: MetricCatalogue([], strict: false), sink: sink)
        let many = (0..<40).map { "\"m\($0)\":1" }.joined(separator: ",")
        let payloads = [
            #"{"x":1,"y":2,"x":3,"x":4}"#,
            #"{"ts":1763712000000,"values":{"z":1,"\u007a":2}}"#,
            #"[{"ts":1763712000000,"values":{"w":1}},{"ts":1763712001000,"values":{"w":2}}]"#,
            "{\(many),\"m7\":9}",
            #"{"pm25_ugm3":1,"pm10_ugm3":2,"\u0070m25_ugm3":3,"temperature_c":4,"temperature_f":5,"temperature_c":6}"#,
        ]
        for payload in payloads {
            pipeline.send(topic: HostileInputTests.topic, payload: payload, receivedAtMillis: HostileInputTests.now)
        }
        #expect(sink.quarantined.map(\.reason) == Array(repeating: .duplicateMetric, count: 6))
        #expect(sink.quarantined.map(\.metric) == ["x", "x", "z", "m7", "pm25_ugm3", "temperature_c"])
        #expect(
            sink.quarantined.first?.detail == "metric \"x\" appears more than once in one object; the first value is the reading")
        #expect(pipeline.stats.readingsAccepted == 2 + 1 + 2 + 40 + 4)
        pipeline.flushAll()
        let x = try #require(sink.rollups.first { $0.series.metric == "x" && $0.tier.name == "10s" })
        guard case .numeric(let partial) = x.partial else { throw TestFailure("x is not numeric") }
        #expect(partial.count == 1 && partial.sum == 1)
    }

    @Test func invalidUTF8IsMalformedAndAByteOrderMarkIsIgnored() throws {
        let sink = CollectingSink()
        let pipeline = IngestPipeline(
            settings: PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern)),
            catalogue: MetricCatalogue([], strict: false), sink: sink)
        let topic = Array(HostileInputTests.topic.utf8)
        let payloads: [[UInt8]] = [
            Array(#"{"caf"#.utf8) + [0xE9] + Array(#"":1}"#.utf8),
            Array(#"{"s":"#.utf8) + [0x22, 0xC3, 0x28, 0x22] + Array("}".utf8),
            [0xEF, 0xBB, 0xBF] + Array(#"{"ok":1}"#.utf8),
            Array(#"{"nhiệt_độ":1}"#.utf8),
        ]
        for payload in payloads {
            topic.withUnsafeBytes { topic in
                payload.withUnsafeBytes { payload in
                    pipeline.ingest(topic: topic, payload: payload, receivedAtNanos: HostileInputTests.now * 1_000_000)
                }
            }
        }
        #expect(sink.quarantined.map(\.reason) == [.malformedPayload, .malformedPayload])
        #expect(
            sink.quarantined.map(\.detail) == [
                "invalid UTF-8 at byte 5 inside a string (JSON text must be UTF-8)",
                "invalid UTF-8 at byte 6 inside a string (JSON text must be UTF-8)",
            ])
        #expect(pipeline.stats.readingsAccepted == 2)
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
