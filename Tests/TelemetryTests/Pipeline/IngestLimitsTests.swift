import Testing

@testable import Telemetry

@Suite("Ingest limits")
struct IngestLimitsTests {
    private func makePipeline(
        _ sink: CollectingSink, maxSeries: Int = 250_000, excerptsPerSecond: Int = 100
    ) throws -> IngestPipeline {
        try .forTesting(sink, catalogue: MetricCatalogue([], strict: false)) {
            $0.payloadExcerptBytes = 64
            $0.maxTopicBytes = 40
            $0.maxSeries = maxSeries
            $0.excerptsPerSecond = excerptsPerSecond
        }
    }

    private func send(_ pipeline: IngestPipeline, _ topic: String, _ payload: String, at millis: Int64 = 1_763_712_000_000) {
        pipeline.send(topic: topic, payload: payload, receivedAtMillis: millis)
    }

    @Test func longTopicsAreRejectedFirst() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        send(pipeline, "iiot/a/b/" + String(repeating: "d", count: 40) + "/telemetry", "{\"x\":1}")
        #expect(sink.quarantined.map(\.reason) == [.topicTooLong])
        #expect(sink.quarantined.first?.detail == "topic of 59 bytes exceeds the limit of 40 bytes")
        #expect(sink.quarantined.first?.topic.utf8.count == 40)
    }

    @Test func newSeriesAndDevicesBeyondTheCapAreQuarantinedNotKept() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, maxSeries: 3)
        send(pipeline, "iiot/p/s/d1/telemetry", #"{"a":1,"b":2,"c":3,"d":4}"#)
        send(pipeline, "iiot/p/s/d2/telemetry", #"{"a":1}"#)
        send(pipeline, "iiot/p/s/d3/telemetry", #"{"a":1}"#)
        send(pipeline, "iiot/p/s/d4/telemetry", #"{"a":1}"#)
        send(pipeline, "iiot/p/s/d1/telemetry", #"{"a":5}"#)
        #expect(sink.quarantined.map(\.reason) == [.cardinalityLimit, .cardinalityLimit, .cardinalityLimit, .cardinalityLimit])
        #expect(sink.quarantined.map(\.metric) == ["d", "a", "a", nil])
        #expect(sink.quarantined.map { $0.device?.device } == ["d1", "d2", "d3", "d4"])
        #expect(pipeline.seriesCount == 3 && pipeline.stats.readingsAccepted == 4)
    }

    @Test func excerptsAreRateLimitedPerSecond() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, excerptsPerSecond: 2)
        for offset in [0, 100, 200, 999, 1_000] {
            send(pipeline, "iiot/p/s/d/telemetry", "not json", at: 1_763_712_000_000 + Int64(offset))
        }
        #expect(sink.quarantined.map(\.payloadOmitted) == [false, false, true, true, false])
        #expect(sink.quarantined.map(\.payloadExcerpt) == ["not json", "not json", "", "", "not json"])
        #expect(sink.quarantined.allSatisfy { $0.payloadBytes == 8 })
    }

    @Test func sequenceGapsAreCountedPerDevice() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let one = DeviceKey(park: "p", site: "s", device: "one")
        for seq in [1, 4, 2, 9] { send(pipeline, "iiot/p/s/one/telemetry", "{\"seq\":\(seq),\"x\":1}") }
        for seq in [1, 2, 3] { send(pipeline, "iiot/p/s/two/telemetry", "{\"seq\":\(seq),\"x\":1}") }
        #expect(pipeline.stats.seqMissing == 5)  // 2, 3 then 5…8, minus 2 that came late
        #expect(pipeline.stats.seqMissingByDevice == [one: 5])
    }
}
