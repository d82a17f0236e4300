import Testing

@testable import Telemetry

/// Line protocol through the whole pipeline: several devices in one message, each named by
/// its tag and the topic's levels; the same validation and quarantine reasons as JSON; a
/// message with a line that names no device, or seen before, taken whole or not at all.
@Suite("Line protocol ingest")
struct LineProtocolIngestTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"]),
    ])
    static let now: Int64 = 1_765_000_000_000
    static let topic = "influx/yen-my/f01"

    static func makePipeline(_ sink: CollectingSink) throws -> IngestPipeline {
        let subscription = LineSubscription(
            pattern: try TopicPattern("influx/{park}/{site}", required: ["park", "site"]),
            options: LineProtocolOptions(precision: .milliseconds, deviceTag: "host"))
        return try .forTesting(sink, catalogue: catalogue) {
            $0.lineSubscriptions = [subscription]
            $0.maxNameBytes = 16
        }
    }

    static func device(_ name: String) -> DeviceKey { DeviceKey(park: "yen-my", site: "f01", device: name) }

    /// The 10 s numeric partial of `metric` on `device`.
    static func numeric(_ sink: CollectingSink, _ device: String, _ metric: String) -> NumericPartial? {
        for window in sink.rollups
        where window.tier.name == "10s" && window.series == SeriesKey(device: Self.device(device), metric: metric) {
            if case .numeric(let partial) = window.partial { return partial }
        }
        return nil
    }

    @Test func oneMessageOfSeveralDevicesIsAggregatedPerDevice() throws {
        let sink = CollectingSink()
        let pipeline = try Self.makePipeline(sink)
        let t = Self.now
        pipeline.send(
            topic: Self.topic,
            payload: """
                machine,host=m1 temperature_c=70.5,parts_total=100i,machine_state="running" \(t)
                machine,host=m2 temperature_c=60 \(t + 1_000)
                machine,host=m1 temperature_c=71.5,parts_total=130i \(t + 2_000)

                """, receivedAtMillis: t + 2_000)
        #expect(pipeline.stats.readingsAccepted == 6 && pipeline.stats.quarantinedTotal == 0)
        #expect(pipeline.deviceCount == 2)
        pipeline.flushAll()
        let m1 = try #require(Self.numeric(sink, "m1", "temperature_c"))
        #expect(m1.count == 2 && m1.sum == 142 && m1.first.timestampMillis == t && m1.last.value == 71.5)
        #expect(Self.numeric(sink, "m2", "temperature_c")?.sum == 60)
        #expect(Self.numeric(sink, "m1", "parts_total")?.increase == 30)
        let state = sink.rollups.first { $0.tier.name == "10s" && $0.series.metric == "machine_state" }
        #expect(state?.series.device == Self.device("m1"))
        #expect(state?.partial.count == 1)
    }

    @Test func readingsAreQuarantinedWithTheReasonsOfJSONAndTheirDevice() throws {
        let sink = CollectingSink()
        let pipeline = try Self.makePipeline(sink)
        let t = Self.now
        pipeline.send(
            topic: Self.topic,
            payload: """
                machine,host=m1 temperature_c=900,humidity=3,machine_state="exploded" \(t)
                machine,host=m2 temperature_c=true,machine_state=1i,temperature_c=20 \(t)
                machine,host=a-very-long-device-name temperature_c=20 \(t)
                machine,host=m3 temperature_c=21 \(t)
                """, receivedAtMillis: t)
        #expect(
            sink.quarantined.map(\.reason) == [
                .outOfRange, .unknownMetric, .outOfRange, .wrongType, .wrongType, .duplicateMetric, .nameTooLong,
            ])
        #expect(sink.quarantined.map(\.device?.device) == ["m1", "m1", "m1", "m2", "m2", "m2", nil])
        #expect(sink.quarantined[0].detail == "temperature_c = 900 outside [-40, 150]")
        #expect(sink.quarantined[3].detail == "temperature_c: expected a number, got a boolean")
        #expect(
            sink.quarantined[6].detail
                == "line 3: device name of 23 bytes exceeds ingest.max_name_bytes (16); its 1 reading set aside")
        #expect(pipeline.stats.readingsAccepted == 1)
        #expect(pipeline.stats.quarantinedByDevice[Self.device("m2")] == 3)
    }

    @Test func aMessageWithALineNamingNoDeviceIsQuarantinedWhole() throws {
        let sink = CollectingSink()
        let pipeline = try Self.makePipeline(sink)
        pipeline.send(
            topic: Self.topic, payload: "machine,host=m1 temperature_c=20 \(Self.now)\nmachine temperature_c=21 \(Self.now)",
            receivedAtMillis: Self.now)
        #expect(sink.quarantined.map(\.reason) == [.malformedPayload])
        #expect(
            sink.quarantined.first?.detail
                == "line 2: nothing names its device: no tag host and the topic pattern has no {device}")
        #expect(pipeline.stats.readingsAccepted == 0 && pipeline.deviceCount == 0)
    }

    @Test func aTimestampedMessageSeenAgainIsADuplicateAndOneWithoutTimestampsIsNew() throws {
        let sink = CollectingSink()
        let pipeline = try Self.makePipeline(sink)
        let stamped = "machine,host=m1 temperature_c=20 \(Self.now)"
        pipeline.send(topic: Self.topic, payload: stamped, receivedAtMillis: Self.now)
        pipeline.send(topic: Self.topic, payload: stamped, receivedAtMillis: Self.now + 10)
        #expect(sink.quarantined.map(\.reason) == [.duplicatePayload])
        pipeline.send(topic: Self.topic, payload: "machine,host=m1 temperature_c=21", receivedAtMillis: Self.now + 20)
        pipeline.send(topic: Self.topic, payload: "machine,host=m1 temperature_c=21", receivedAtMillis: Self.now + 30)
        #expect(pipeline.stats.readingsAccepted == 3)
        pipeline.flushAll()
        #expect(Self.numeric(sink, "m1", "temperature_c")?.last == .init(timestampMillis: Self.now + 30, value: 21))
    }

    @Test func jsonKeepsItsTopicsAndATopicOfNeitherNamesBothPatterns() throws {
        let sink = CollectingSink()
        let pipeline = try Self.makePipeline(sink)
        pipeline.send(topic: "iiot/yen-my/f01/m1/telemetry", payload: #"{"temperature_c": 22}"#, receivedAtMillis: Self.now)
        pipeline.send(topic: "influx/yen-my/f01", payload: "machine,host=m1 temperature_c=23", receivedAtMillis: Self.now)
        pipeline.send(topic: "other/topic", payload: "machine,host=m1 temperature_c=24", receivedAtMillis: Self.now)
        #expect(pipeline.stats.readingsAccepted == 2 && pipeline.deviceCount == 1, "both name the same device")
        #expect(
            sink.quarantined.map(\.detail) == [
                "topic does not match any subscription's pattern (iiot/{park}/{site}/{device}/telemetry, influx/{park}/{site})"
            ])
        pipeline.send(topic: "influx/yen-my/f01", payload: "not line protocol", receivedAtMillis: Self.now)
        #expect(sink.quarantined.last?.reason == .malformedPayload)
        #expect(sink.quarantined.last?.detail == "line 1: expected '=' after the field key (byte 8)")
    }
}
