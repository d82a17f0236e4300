import Testing

@testable import Telemetry

/// Messages without `seq` arriving again: timestamped ones are dropped as `duplicate_payload`,
/// ones stamped with receive time are counted again and reported when the broker redelivers
/// them, and a device repeating such a payload is new readings.
@Suite("Redelivery without seq")
struct RedeliveryTests {
    static let topic = "iiot/yen-my/f01/env-0003/telemetry"
    static let now = IngestPipelineTests.now

    private func makePipeline(_ sink: CollectingSink, window: Int = 65_536) throws -> IngestPipeline {
        try .forTesting(sink, catalogue: IngestPipelineTests.catalogue) { $0.redeliveryWindow = window }
    }

    private func tenSecondCount(_ sink: CollectingSink, _ pipeline: IngestPipeline) -> Int {
        pipeline.flushAll()
        return sink.rollups.filter { $0.tier.name == "10s" }.reduce(0) { $0 + $1.partial.count }
    }

    @Test func timestampedPayloadArrivingAgainIsQuarantinedWhateverItsPacketID() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let payload =
            #"[{"ts":\#(Self.now),"values":{"temperature_c":20}},{"ts":\#(Self.now + 1),"values":{"temperature_c":21}}]"#
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now, packetID: 5)
        pipeline.send(
            topic: Self.topic, payload: #"{"ts":\#(Self.now + 2),"values":{"temperature_c":22}}"#, receivedAtMillis: Self.now)
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 50, packetID: 5)  // broker
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 90, packetID: 61)  // device
        pipeline.send(topic: "iiot/yen-my/f01/env-0004/telemetry", payload: payload, receivedAtMillis: Self.now + 95)

        #expect(sink.quarantined.map(\.reason) == [.duplicatePayload, .duplicatePayload])
        #expect(
            sink.quarantined[0].detail
                == "the same topic and timestamped payload arrived 2 messages earlier: the same readings again")
        #expect(sink.quarantined[1].device?.device == "env-0003")
        #expect(pipeline.stats.readingsAccepted == 5)
        #expect(pipeline.stats.redeliveredMessages == 0)
        #expect(tenSecondCount(sink, pipeline) == 5)
    }

    @Test func receiveTimePayloadRedeliveredWithItsPacketIDIsCountedAgainAndReported() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let payload = #"{"temperature_c":20,"machine_state":"running"}"#
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now, packetID: 9)
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 1_000, packetID: 10)  // device repeats
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 1_500, packetID: 9)  // broker redelivers
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 2_000)  // QoS 0
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now + 2_500)  // QoS 0 again

        #expect(sink.quarantined.isEmpty)
        #expect(pipeline.stats.readingsAccepted == 10, "at least once: every delivery is counted")
        #expect(pipeline.stats.redeliveredMessages == 1)
        #expect(pipeline.stats.redeliveredReadings == 2)
        #expect(tenSecondCount(sink, pipeline) == 10)
    }

    @Test func aPacketIDReusedLongAfterIsANewMessage() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let payload = #"{"temperature_c":20}"#
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now, packetID: 3)
        for index in 0..<IngestPipeline.packetIDReuseHorizon {
            pipeline.send(
                topic: Self.topic, payload: #"{"temperature_c":\#(index % 100)}"#, receivedAtMillis: Self.now, packetID: 0)
        }
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now, packetID: 3)
        #expect(pipeline.stats.redeliveredMessages == 0)
        pipeline.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now, packetID: 3)
        #expect(pipeline.stats.redeliveredMessages == 1, "the reused id's own redelivery is recognised")
    }

    @Test func messagesWithSeqAndAWindowOfZeroAreLeftAlone() throws {
        let sink = CollectingSink()
        let off = try makePipeline(sink, window: 0)
        let timestamped = #"{"ts":\#(Self.now),"values":{"temperature_c":20}}"#
        off.send(topic: Self.topic, payload: timestamped, receivedAtMillis: Self.now)
        off.send(topic: Self.topic, payload: timestamped, receivedAtMillis: Self.now)
        #expect(off.stats.readingsAccepted == 2 && sink.quarantined.isEmpty)

        let withSeq = try makePipeline(sink)
        let payload = #"{"ts":\#(Self.now),"seq":4,"values":{"temperature_c":20}}"#
        withSeq.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now)
        withSeq.send(topic: Self.topic, payload: payload, receivedAtMillis: Self.now)
        #expect(sink.quarantined.map(\.reason) == [.duplicateSeq])
        #expect(withSeq.redeliveries.arrivalsInOrder.isEmpty)
    }

    @Test func theWindowAndTheCountsSurviveACheckpoint() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        let timestamped = #"{"ts":\#(Self.now),"values":{"temperature_c":20}}"#
        let plain = #"{"temperature_c":21}"#
        pipeline.send(topic: Self.topic, payload: timestamped, receivedAtMillis: Self.now)
        pipeline.send(topic: Self.topic, payload: plain, receivedAtMillis: Self.now, packetID: 77)
        pipeline.send(topic: Self.topic, payload: plain, receivedAtMillis: Self.now, packetID: 77)
        let state = pipeline.checkpointState()

        let restored = try makePipeline(sink)
        try restored.restoreState(state)
        #expect(restored.stats.redeliveredMessages == 1 && restored.stats.redeliveredReadings == 1)
        restored.send(topic: Self.topic, payload: timestamped, receivedAtMillis: Self.now + 10)
        restored.send(topic: Self.topic, payload: plain, receivedAtMillis: Self.now + 10, packetID: 77)
        #expect(sink.quarantined.map(\.reason) == [.duplicatePayload])
        #expect(restored.stats.redeliveredMessages == 2 && restored.stats.readingsAccepted == 4)
    }
}
