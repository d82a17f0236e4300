import Telemetry
import Testing

/// `MessageRing.oldestWaitingReceivedAtNanos()`, which the engine's ingest lag is measured by.
@Suite("MessageRing: the oldest waiting message")
struct OldestWaitingMessageTests {
    private func push(_ ring: MessageRing, payloadBytes: Int = 8, at nanos: Int64, stageOnly: Bool = false) -> Bool {
        let payload = [UInt8](repeating: 7, count: payloadBytes)
        return [UInt8]("t".utf8).withUnsafeBytes { topic in
            payload.withUnsafeBytes {
                stageOnly
                    ? ring.tryStage(topic: topic, payload: $0, receivedAtNanos: nanos)
                    : ring.tryPush(topic: topic, payload: $0, receivedAtNanos: nanos)
            }
        }
    }

    @Test func itIsTheReceiveTimeAtTheHeadAndNilWhenNothingPublishedWaits() {
        let ring = MessageRing(capacityBytes: 64 * 1024)
        #expect(ring.oldestWaitingReceivedAtNanos() == nil)
        for nanos: Int64 in [10, 20, 30] { #expect(push(ring, at: nanos)) }
        #expect(ring.oldestWaitingReceivedAtNanos() == 10)
        #expect(ring.consume(maxMessages: 1) { _ in } == 1)
        #expect(ring.oldestWaitingReceivedAtNanos() == 20)
        #expect(push(ring, at: 40, stageOnly: true))
        #expect(ring.consume(maxMessages: 2) { _ in } == 2)
        #expect(ring.oldestWaitingReceivedAtNanos() == nil, "a staged message is not waiting yet")
        ring.publish()
        #expect(ring.oldestWaitingReceivedAtNanos() == 40)
    }

    @Test func aSkipMarkerAtTheHeadIsLookedPast() {
        let ring = MessageRing(capacityBytes: 64 * 1024)
        // A fills the first half; B ends 752 bytes before the end; C (stride 1,000) then goes to
        // offset 0 behind a skip marker once A is consumed.
        #expect(push(ring, payloadBytes: 32_735, at: 1))
        #expect(push(ring, payloadBytes: 31_983, at: 2))
        #expect(ring.consume(maxMessages: 1) { _ in } == 1)
        #expect(push(ring, payloadBytes: 967, at: 3))
        #expect(ring.consume(maxMessages: 1) { _ in } == 1)
        #expect(ring.oldestWaitingReceivedAtNanos() == 3)
        var times: [Int64] = []
        #expect(ring.consume(maxMessages: 1) { times.append($0.receivedAtNanos) } == 1)
        #expect(times == [3])
        #expect(ring.oldestWaitingReceivedAtNanos() == nil)
    }
}
