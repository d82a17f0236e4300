import Foundation
import Synchronization
import Telemetry
import Testing

/// A message copied out of the ring, for comparisons.
private struct ReceivedMessage: Equatable {
    var topic: [UInt8]
    var payload: [UInt8]
    var receivedAtNanos: Int64
}

/// Padded size of a record: 32-byte header + topic + payload, rounded up to 8.
private func recordStride(topic: Int, payload: Int) -> Int {
    (32 + topic + payload + 7) & ~7
}

extension MessageRing {
    /// Test convenience: `tryPush` with arrays.
    fileprivate func tryPush(topic: [UInt8], payload: [UInt8], at time: Int64) -> Bool {
        topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                tryPush(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time)
            }
        }
    }

    /// Test convenience: blocking `push` with arrays.
    fileprivate func push(topic: [UInt8], payload: [UInt8], at time: Int64) -> PushOutcome {
        topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                push(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time)
            }
        }
    }

    /// Test convenience: `tryStage` with arrays.
    fileprivate func tryStage(topic: [UInt8], payload: [UInt8], at time: Int64) -> Bool {
        topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                tryStage(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time)
            }
        }
    }

    /// Test convenience: consumes up to `maxMessages`, copying each message out.
    fileprivate func drain(maxMessages: Int = .max) -> [ReceivedMessage] {
        var received: [ReceivedMessage] = []
        let count = consume(maxMessages: maxMessages) { message in
            received.append(
                ReceivedMessage(
                    topic: Array(message.topic), payload: Array(message.payload),
                    receivedAtNanos: message.receivedAtNanos))
        }
        #expect(count == received.count)
        return received
    }
}

/// Whether two buffers hold the same bytes (memcmp: byte loops are slow in debug builds).
private func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard let left = a.baseAddress, let right = b.baseAddress else { return a.count == 0 }
    return memcmp(left, right, a.count) == 0
}

/// A value shared between test threads.
private final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var current: Value { value.withLock { $0 } }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
}

/// Runs `body` on a new OS thread (not Swift concurrency); wait on the returned semaphore to join.
private func startThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        finished.signal()
    }
    thread.start()
    return finished
}

/// Waits for a thread from `startThread`; false if it has not finished after `seconds`, so a
/// hang becomes a test failure instead of a stuck test run (a guard, not a timing assertion).
private func join(_ finished: DispatchSemaphore, within seconds: Int) -> Bool {
    finished.wait(timeout: .now() + .seconds(seconds)) == .success
}

@Suite("MessageRing")
struct MessageRingTests {
    static let capacity = 64 * 1024

    @Test func sizesFollowCapacity() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        #expect(ring.capacityBytes == 65_536)
        #expect(ring.maxMessageBytes == 32_736)
        #expect(MessageRing(capacityBytes: 1 << 20).maxMessageBytes == 524_256)
        // The largest ring the configuration allows (4 GiB, reserved but barely touched here).
        let largest = MessageRing(capacityBytes: 1 << 32)
        #expect(largest.maxMessageBytes == 2_147_483_616)
        #expect(largest.tryPush(topic: [1], payload: [2, 3], at: 4))
        #expect(largest.drain() == [ReceivedMessage(topic: [1], payload: [2, 3], receivedAtNanos: 4)])
    }

    @Test func emptyRingConsumesNothing() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        var calls = 0
        let count = ring.consume(maxMessages: 256) { _ in calls += 1 }
        #expect(count == 0)
        #expect(calls == 0)
        #expect(ring.usedBytes == 0)
    }

    @Test func orderContentAndTimesArePreserved() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let sent = [
            ReceivedMessage(
                topic: Array("iiot/yen-my/f01/env-0003/telemetry".utf8),
                payload: Array(#"{"temperature_c": 24.1}"#.utf8), receivedAtNanos: 1_763_700_000_123_000_000),
            ReceivedMessage(topic: Array("a".utf8), payload: [0, 255, 7], receivedAtNanos: -5),
            ReceivedMessage(topic: Array("b/c".utf8), payload: [], receivedAtNanos: .max),
        ]
        for message in sent {
            #expect(ring.tryPush(topic: message.topic, payload: message.payload, at: message.receivedAtNanos))
        }
        #expect(ring.drain(maxMessages: 2) == Array(sent[0..<2]))
        #expect(ring.drain() == [sent[2]])
        #expect(ring.drain() == [])
    }

    @Test func zeroLengthTopicAndPayload() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        #expect(ring.tryPush(topic: [], payload: [], at: 42))
        #expect(ring.usedBytes == 32)
        #expect(ring.tryPush(topic: [], payload: [9], at: 43))
        #expect(ring.tryPush(topic: [8], payload: [], at: 44))
        #expect(ring.usedBytes == 32 + 40 + 40)
        #expect(
            ring.drain() == [
                ReceivedMessage(topic: [], payload: [], receivedAtNanos: 42),
                ReceivedMessage(topic: [], payload: [9], receivedAtNanos: 43),
                ReceivedMessage(topic: [8], payload: [], receivedAtNanos: 44),
            ])
        #expect(ring.usedBytes == 0)
    }

    @Test func byteAccountingIsExact() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        // (topic, payload) → stride: 32 + 3 + 0 = 35 → 40; 32 + 3 + 5 = 40 → 40; 32 + 3 + 6 = 41 → 48.
        let cases: [(payload: Int, stride: Int)] = [(0, 40), (5, 40), (6, 48), (13, 48), (14, 56)]
        var expectedUsed = 0
        for (payload, stride) in cases {
            #expect(recordStride(topic: 3, payload: payload) == stride)
            #expect(ring.tryPush(topic: [1, 2, 3], payload: Array(repeating: 0xAB, count: payload), at: 0))
            expectedUsed += stride
            #expect(ring.usedBytes == expectedUsed)
        }
        #expect(expectedUsed == 232)
        for (_, stride) in cases {
            #expect(ring.consume(maxMessages: 1) { _ in } == 1)
            expectedUsed -= stride
            #expect(ring.usedBytes == expectedUsed)
        }
        #expect(ring.usedBytes == 0)
    }

    @Test func pushUntilFullThenTryPushFails() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        // 1-byte topic + 31-byte payload = 64-byte records: exactly 1024 fit.
        let payload = Array(repeating: UInt8(0x5A), count: 31)
        var pushed = 0
        while ring.tryPush(topic: [0x74], payload: payload, at: Int64(pushed)) {
            pushed += 1
        }
        #expect(pushed == 1024)
        #expect(ring.usedBytes == 65_536)
        #expect(!ring.tryPush(topic: [], payload: [], at: 0))
        // Freeing one record makes room for exactly one more.
        #expect(ring.drain(maxMessages: 1).map(\.receivedAtNanos) == [0])
        #expect(ring.usedBytes == 65_472)
        #expect(ring.tryPush(topic: [0x74], payload: payload, at: 1024))
        #expect(!ring.tryPush(topic: [], payload: [], at: 0))
        let rest = ring.drain()
        #expect(rest.count == 1024)
        #expect(rest.map(\.receivedAtNanos) == Array(1...1024))
        #expect(rest.allSatisfy { $0.topic == [0x74] && $0.payload == payload })
    }

    @Test func oversizeMessageIsRejectedNotTruncated() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let max = ring.maxMessageBytes
        #expect(!ring.tryPush(topic: [1], payload: Array(repeating: 2, count: max), at: 0))
        #expect(ring.push(topic: [1], payload: Array(repeating: 2, count: max), at: 0) == .tooLarge)
        #expect(ring.push(topic: [], payload: Array(repeating: 2, count: max + 1), at: 0) == .tooLarge)
        #expect(ring.usedBytes == 0)
        // Exactly the maximum fits, and takes half the ring.
        #expect(ring.tryPush(topic: [1], payload: Array(repeating: 2, count: max - 1), at: 7))
        #expect(ring.usedBytes == 32_768)
        let received = ring.drain()
        #expect(received.count == 1)
        #expect(received.first?.payload.count == 32_735)
        #expect(received.first?.topic == [1])
    }

    @Test func skipMarkerWrapsARecordToOffsetZero() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        // A: 32 768-byte stride at offset 0; B: 32 016-byte stride at 32 768, ending at 64 784.
        #expect(ring.tryPush(topic: [], payload: Array(repeating: 0xA, count: 32_736), at: 1))
        #expect(ring.tryPush(topic: [], payload: Array(repeating: 0xB, count: 31_984), at: 2))
        #expect(ring.usedBytes == 64_784)
        // C (stride 1 000) does not fit in the 752 bytes before the end, nor at 0 while A is there.
        let c = Array(repeating: UInt8(0xC), count: 968)
        #expect(!ring.tryPush(topic: [], payload: c, at: 3))
        #expect(ring.drain(maxMessages: 1).map(\.receivedAtNanos) == [1])
        #expect(ring.usedBytes == 32_016)
        // Now it goes to offset 0, and the 752 skipped bytes count as used.
        #expect(ring.tryPush(topic: [], payload: c, at: 3))
        #expect(ring.usedBytes == 32_016 + 752 + 1_000)
        let rest = ring.drain()
        #expect(rest.map(\.receivedAtNanos) == [2, 3])
        #expect(rest.last?.payload == c)
        #expect(rest.first?.payload == Array(repeating: 0xB, count: 31_984))
        #expect(ring.usedBytes == 0)
    }

    @Test func largestMessageFitsAnEmptyRingAtEveryOffset() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let filler = Array(repeating: UInt8(0xF), count: 8)  // stride 40
        let largest = (0..<ring.maxMessageBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        // Each lap advances by 40 + 32 768 = 8 × 4 101 bytes; 4 101 is odd, so 8 192 laps put
        // the largest record at every one of the 8 192 possible 8-byte offsets.
        var fitted = 0
        var intact = 0
        for lap in 0..<8_192 {
            #expect(ring.tryPush(topic: [], payload: filler, at: Int64(lap)))
            #expect(ring.consume(maxMessages: 1) { _ in } == 1)
            if ring.tryPush(topic: [], payload: largest, at: Int64(lap)) { fitted += 1 }
            _ = ring.consume(maxMessages: 1) { message in
                if largest.withUnsafeBytes({ bytesEqual($0, message.payload) }) {
                    intact += 1
                }
            }
        }
        #expect(fitted == 8_192)
        #expect(intact == 8_192)
        #expect(ring.usedBytes == 0)
    }

    /// Random sizes from 0 B to the maximum over many laps, checked against a reference model of
    /// the byte layout: every push must succeed exactly when the model says it fits, `usedBytes`
    /// must equal the model's after every step, and every message must come out intact, in order.
    @Test func wrapAroundManyLapsMatchesModel() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let capacity = ring.capacityBytes
        var random = SplitMix64(seed: 0x5EED)
        var modelTail = 0
        var modelHead = 0
        var modelRecords: [(message: ReceivedMessage, stride: Int, skipBefore: Int)] = []
        var skips = 0
        var pushedCount = 0
        var rejectedWhenFull = 0
        var consumedCount = 0
        var mismatches = 0
        var usedMismatches = 0

        for step in 0..<40_000 {
            if random.next(below: 2) == 0 {
                let topicLength = random.next(below: 40)
                let payloadLength: Int
                switch random.next(below: 20) {
                case 0: payloadLength = ring.maxMessageBytes - topicLength - random.next(below: 64)
                case 1...3: payloadLength = random.next(below: 4_000)
                default: payloadLength = random.next(below: 120)
                }
                let message = ReceivedMessage(
                    topic: (0..<topicLength).map { UInt8(truncatingIfNeeded: step &+ $0) },
                    payload: (0..<payloadLength).map { UInt8(truncatingIfNeeded: step &* 7 &+ $0) },
                    receivedAtNanos: Int64(step))
                let stride = recordStride(topic: topicLength, payload: payloadLength)
                let untilEnd = capacity - modelTail % capacity
                let skip = stride > untilEnd ? untilEnd : 0
                let fits = modelTail + skip + stride - modelHead <= capacity
                let pushed = ring.tryPush(topic: message.topic, payload: message.payload, at: message.receivedAtNanos)
                #expect(pushed == fits, "step \(step): push returned \(pushed), model says fits = \(fits)")
                if fits {
                    modelTail += skip + stride
                    modelRecords.append((message, stride, skip))
                    if skip > 0 { skips += 1 }
                    pushedCount += 1
                } else {
                    rejectedWhenFull += 1
                }
            } else {
                let batch = random.next(below: 5)
                let received = ring.drain(maxMessages: batch)
                let expected = modelRecords.prefix(batch)
                if received != expected.map(\.message) { mismatches += 1 }
                for record in expected { modelHead += record.skipBefore + record.stride }
                modelRecords.removeFirst(expected.count)
                consumedCount += received.count
            }
            if ring.usedBytes != modelTail - modelHead { usedMismatches += 1 }
        }
        let remaining = ring.drain()
        #expect(remaining == modelRecords.map(\.message))
        consumedCount += remaining.count

        #expect(mismatches == 0)
        #expect(usedMismatches == 0)
        #expect(consumedCount == pushedCount)
        #expect(ring.usedBytes == 0)
        // Sanity of the workload itself (fixed by the seed): many laps, many wraps, both outcomes.
        #expect(modelTail / capacity >= 100, "only \(modelTail / capacity) laps")
        #expect(skips >= 100, "only \(skips) skip markers")
        #expect(rejectedWhenFull >= 100, "only \(rejectedWhenFull) full rejections")
    }

    @Test func stagedMessagesAreInvisibleUntilPublished() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        for index in 0..<10 {
            #expect(ring.tryStage(topic: [UInt8(index)], payload: [], at: Int64(index)))
        }
        #expect(ring.usedBytes == 0)
        #expect(ring.drain() == [])
        ring.publish()
        #expect(ring.usedBytes == 10 * 40)
        #expect(ring.drain().map(\.receivedAtNanos) == Array(0..<10))
    }

    @Test func stagingIntoAFullRingPublishesWhatIsStaged() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let payload = Array(repeating: UInt8(1), count: 32)  // stride 64
        var staged = 0
        while ring.tryStage(topic: [], payload: payload, at: Int64(staged)) {
            staged += 1
        }
        #expect(staged == 1024)
        #expect(ring.usedBytes == 65_536)
        #expect(ring.drain().count == 1024)
    }

    @Test func throwingBodyKeepsTheFailedMessageAtTheHead() {
        struct DiskFull: Error {}
        let ring = MessageRing(capacityBytes: Self.capacity)
        for index in 0..<3 {
            #expect(ring.tryPush(topic: [], payload: [UInt8(index)], at: Int64(index)))
        }
        var seen: [Int64] = []
        #expect(throws: DiskFull.self) {
            _ = try ring.consume(maxMessages: 10) { message in
                seen.append(message.receivedAtNanos)
                if message.receivedAtNanos == 1 { throw DiskFull() }
            }
        }
        #expect(seen == [0, 1])
        #expect(ring.usedBytes == 2 * 40)
        #expect(ring.drain().map(\.receivedAtNanos) == [1, 2])
    }

    @Test func pushReturnsAtOnceWhenThereIsRoom() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        #expect(ring.push(topic: [1], payload: [2], at: 3) == .pushed(waitedNanos: 0))
        ring.close()
        #expect(ring.isClosed)
        // close() only stops waiting: a message that fits still goes in.
        #expect(ring.push(topic: [1], payload: [2], at: 4) == .pushed(waitedNanos: 0))
        #expect(ring.drain().map(\.receivedAtNanos) == [3, 4])
    }

    @Test
    func closeWakesABlockedProducer() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let payload = Array(repeating: UInt8(3), count: 32)  // stride 64
        while ring.tryPush(topic: [], payload: payload, at: 0) {}
        let outcome = Shared<MessageRing.PushOutcome?>(nil)
        let producer = startThread {
            let result = ring.push(topic: [], payload: payload, at: 1)
            outcome.set(result)
        }
        // Give the producer time to start waiting (not required for correctness: a push that
        // starts after close() on a full ring returns .closed at once too).
        usleep(20_000)
        ring.close()
        #expect(join(producer, within: 60), "close() did not wake the producer")
        #expect(outcome.current == .closed)
        #expect(ring.usedBytes == 65_536)
        #expect(ring.drain().count == 1024)
    }

    @Test
    func blockedProducerResumesWhenSpaceIsFreed() {
        let ring = MessageRing(capacityBytes: Self.capacity)
        let payload = Array(repeating: UInt8(3), count: 32)  // stride 64
        while ring.tryPush(topic: [], payload: payload, at: 0) {}
        let outcome = Shared<MessageRing.PushOutcome?>(nil)
        let producer = startThread {
            // Topic [9] + 31-byte payload: also a 64-byte record, so one freed record suffices.
            let result = ring.push(topic: [9], payload: Array(payload.dropLast()), at: 99)
            outcome.set(result)
        }
        usleep(20_000)
        #expect(ring.consume(maxMessages: 1) { _ in } == 1)
        if !join(producer, within: 60) {
            Issue.record("producer still waiting 60 s after space was freed")
            ring.close()
            producer.wait()
        }
        let result = outcome.current
        guard case .pushed(let waited) = result else {
            Issue.record("expected .pushed, got \(String(describing: result))")
            return
        }
        #expect(waited >= 0)
        let received = ring.drain()
        #expect(received.count == 1024)
        #expect(received.last == ReceivedMessage(topic: [9], payload: Array(payload.dropLast()), receivedAtNanos: 99))
    }

    /// Consumer-side findings of the two-thread stress test.
    private struct StressFindings: Sendable {
        var received = 0
        var errors = 0
        var firstError: String?
        mutating func fail(_ description: @autoclosure () -> String) {
            errors += 1
            if firstError == nil { firstError = description() }
        }
    }

    /// Topic length, extra payload bytes and their contents, all derived from the sequence
    /// number so the consumer can check every byte.
    private static func topicLength(_ sequence: Int) -> Int { sequence % 5 }
    private static func extraLength(_ sequence: Int) -> Int { (sequence &* 13) % 29 }
    private static func byte(_ sequence: Int, _ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: sequence &+ index &* 7)
    }

    /// 10 000 000 messages from a producer thread to a consumer thread through a 64 KiB ring
    /// (≈ 5 000 laps): each arrives exactly once, in order, intact.
    @Test
    func twoThreadStressDeliversEverySequenceNumberOnceInOrder() {
        let total = 10_000_000
        let ring = MessageRing(capacityBytes: Self.capacity)
        let producerFailures = Shared(0)
        let findings = Shared(StressFindings())

        let producer = startThread {
            var failures = 0
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
            defer { scratch.deallocate() }
            for sequence in 0..<total {
                let topicLength = Self.topicLength(sequence)
                let payloadLength = 8 + Self.extraLength(sequence)
                for index in 0..<topicLength { scratch[index] = Self.byte(sequence, index) }
                let payloadStart = topicLength
                scratch.storeBytes(of: UInt64(sequence).littleEndian, toByteOffset: payloadStart, as: UInt64.self)
                for index in 8..<payloadLength { scratch[payloadStart + index] = Self.byte(sequence, index) }
                let outcome = ring.push(
                    topic: UnsafeRawBufferPointer(rebasing: scratch[0..<topicLength]),
                    payload: UnsafeRawBufferPointer(rebasing: scratch[payloadStart..<payloadStart + payloadLength]),
                    receivedAtNanos: Int64(sequence))
                guard case .pushed = outcome else {
                    failures += 1
                    break
                }
            }
            producerFailures.set(failures)
        }

        let consumer = startThread {
            var local = StressFindings()
            while local.received < total && local.errors == 0 {
                let count = ring.consume(maxMessages: 256) { message in
                    let expected = local.received
                    local.received += 1
                    guard message.payload.count >= 8 else {
                        return local.fail("message #\(expected): payload of \(message.payload.count) bytes")
                    }
                    let sequence = Int(UInt64(littleEndian: message.payload.loadUnaligned(as: UInt64.self)))
                    guard sequence == expected else {
                        return local.fail("message #\(expected): sequence number \(sequence)")
                    }
                    if message.receivedAtNanos != Int64(sequence) {
                        local.fail("message #\(expected): receivedAtNanos \(message.receivedAtNanos)")
                    }
                    if message.topic.count != Self.topicLength(sequence)
                        || message.payload.count != 8 + Self.extraLength(sequence)
                    {
                        return local.fail(
                            "message #\(expected): topic \(message.topic.count) B, payload \(message.payload.count) B")
                    }
                    for index in 0..<message.topic.count where message.topic[index] != Self.byte(sequence, index) {
                        local.fail("message #\(expected): topic byte \(index) = \(message.topic[index])")
                    }
                    for index in 8..<message.payload.count where message.payload[index] != Self.byte(sequence, index) {
                        local.fail("message #\(expected): payload byte \(index) = \(message.payload[index])")
                    }
                }
                if count == 0 {
                    if ring.isClosed { break }
                    sched_yield()
                }
            }
            // On a failure, stop the producer instead of leaving it waiting on a full ring.
            if local.errors > 0 { ring.close() }
            findings.set(local)
        }

        let finished = join(producer, within: 300) && join(consumer, within: 300)
        if !finished {
            Issue.record("stress test did not finish within 300 s per thread")
            ring.close()
            producer.wait()
            consumer.wait()
        }
        let result = findings.current
        #expect(producerFailures.current == 0)
        #expect(result.firstError == nil)
        #expect(result.errors == 0)
        #expect(result.received == total)
        #expect(ring.usedBytes == 0)
        #expect(ring.consume(maxMessages: 1) { _ in } == 0)
    }
}
