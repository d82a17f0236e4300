// Throughput and allocations of MessageRing. Every benchmark uses scaling factor .mega: one
// iteration moves 1 000 000 messages, and throughput / malloc counts are reported per message.
// The two-thread benchmarks start a fresh producer thread per iteration (a few allocations
// per million messages, reported as 0). On a 2-core machine shared with other work they are
// noisy from run to run: compare medians (p50) over several runs.
//
// How the consumer polls matters more than anything inside the ring: a consumer that comes
// back at once after a short batch chases the producer record by record, and the cache lines
// holding the newest records and the write index then cross between the cores for every
// message (~130 ns each here). A consumer that yields after a short batch lets records
// accumulate and takes them in bulk. Both are measured; the pipeline should do the latter.

import Benchmark
import Foundation
import Telemetry

/// A realistic topic: 24 bytes.
let topic = Array("iiot/yen-my/f01/vib-0007".utf8)
/// Payload bytes so that topic + payload = 64 bytes (an 80-byte record).
let payload = Array(repeating: UInt8(ascii: "x"), count: 64 - topic.count)
/// Ring size used by every benchmark.
let ringBytes = 1 << 20
/// Consumer batch size of the two-thread benchmarks.
let consumerBatch = 256
/// Messages the producer stages before publishing, in the staged benchmark.
let producerBatch = 64

/// What the consumer does after a batch shorter than `consumerBatch`.
enum ConsumerPolicy: Sendable {
    /// Polls again at once (yields only when it got nothing): chases the producer.
    case chase
    /// Yields the CPU (`sched_yield`) before polling again: takes records in bulk.
    case yieldAfterShortBatch
}

/// How the producer thread hands over messages.
enum ProducerMode: Sendable {
    /// `tryPush` per message, spinning (with `sched_yield`) while full.
    case tryPush
    /// `tryStage` per message and `publish()` every `producerBatch` messages.
    case staged
    /// The blocking `push` the MQTT thread uses (spin, then sleep back-off while full).
    case push
}

/// Moves `count` messages from a new producer thread to the calling thread, which consumes
/// them in batches of up to `consumerBatch`. Returns the number of messages consumed.
func transfer(_ count: Int, mode: ProducerMode, consumer policy: ConsumerPolicy) -> Int {
    let ring = MessageRing(capacityBytes: ringBytes)
    let finished = DispatchSemaphore(value: 0)
    let producer = Thread {
        topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                for sequence in 0..<count {
                    let time = Int64(sequence)
                    switch mode {
                    case .tryPush:
                        while !ring.tryPush(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time) {
                            sched_yield()
                        }
                    case .staged:
                        while !ring.tryStage(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time) {
                            sched_yield()
                        }
                        if sequence % producerBatch == producerBatch - 1 { ring.publish() }
                    case .push:
                        let outcome = ring.push(topic: topicBytes, payload: payloadBytes, receivedAtNanos: time)
                        guard case .pushed = outcome else { preconditionFailure("push returned \(outcome)") }
                    }
                }
                ring.publish()
            }
        }
        finished.signal()
    }
    producer.start()
    var consumed = 0
    var checksum = 0
    while consumed < count {
        let batch = ring.consume(maxMessages: consumerBatch) { message in
            checksum &+= message.payload.count &+ Int(message.receivedAtNanos)
        }
        consumed += batch
        switch policy {
        case .chase where batch == 0, .yieldAfterShortBatch where batch < consumerBatch:
            sched_yield()
        case .chase, .yieldAfterShortBatch:
            break
        }
    }
    finished.wait()
    blackHole(checksum)
    return consumed
}

/// Pushes and consumes `count` messages of `payloadBytes` on one thread through a file-backed
/// (write-ahead) ring in the temporary directory, releasing every `consumerBatch` messages as
/// checkpoints would: the ring's cost per message including the per-record CRC-32C, and with
/// `.eachPublish` one msync per message (the producer's cost of `fsync: always`).
func writeAhead(_ count: Int, payloadBytes: Int, sync: MessageRing.SyncMode) throws -> Int {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).ring").path
    defer { unlink(path) }
    let ring = try MessageRing.openFile(atPath: path, capacityBytes: ringBytes, sync: sync)
    let body = Array(repeating: UInt8(ascii: "x"), count: payloadBytes)
    var checksum = 0
    topic.withUnsafeBytes { topicBytes in
        body.withUnsafeBytes { payloadBytes in
            for index in 0..<count {
                _ = ring.tryPush(topic: topicBytes, payload: payloadBytes, receivedAtNanos: Int64(index))
                _ = ring.consume(maxMessages: 1) { message in
                    checksum &+= message.payload.count
                }
                if index % consumerBatch == consumerBatch - 1 { ring.release(through: ring.consumedPosition) }
            }
        }
    }
    return checksum
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    Benchmark("Ring push+consume one thread, 64 B") { benchmark in
        let ring = MessageRing(capacityBytes: ringBytes)
        topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                var checksum = 0
                for index in benchmark.scaledIterations {
                    _ = ring.tryPush(topic: topicBytes, payload: payloadBytes, receivedAtNanos: Int64(index))
                    _ = ring.consume(maxMessages: 1) { message in
                        checksum &+= message.payload.count
                    }
                }
                blackHole(checksum)
            }
        }
    }

    Benchmark("Ring file-backed push+consume one thread, 64 B") { benchmark in
        blackHole(try writeAhead(benchmark.scaledIterations.count, payloadBytes: payload.count, sync: .never))
    }

    Benchmark("Ring file-backed push+consume one thread, 1 KiB") { benchmark in
        blackHole(try writeAhead(benchmark.scaledIterations.count, payloadBytes: 1_024, sync: .never))
    }

    Benchmark(
        "Ring file-backed, msync each publish, 64 B",
        configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 5)
    ) { benchmark in
        blackHole(try writeAhead(benchmark.scaledIterations.count, payloadBytes: payload.count, sync: .eachPublish))
    }

    Benchmark("Ring two threads, 64 B, tryPush, consumer batch 256") { benchmark in
        blackHole(transfer(benchmark.scaledIterations.count, mode: .tryPush, consumer: .yieldAfterShortBatch))
    }

    Benchmark("Ring two threads, 64 B, staged 64, consumer batch 256") { benchmark in
        blackHole(transfer(benchmark.scaledIterations.count, mode: .staged, consumer: .yieldAfterShortBatch))
    }

    Benchmark("Ring two threads, 64 B, blocking push, consumer batch 256") { benchmark in
        blackHole(transfer(benchmark.scaledIterations.count, mode: .push, consumer: .yieldAfterShortBatch))
    }

    Benchmark("Ring two threads, 64 B, tryPush, chasing consumer") { benchmark in
        blackHole(transfer(benchmark.scaledIterations.count, mode: .tryPush, consumer: .chase))
    }

    Benchmark("Ring two threads, 64 B, staged 64, chasing consumer") { benchmark in
        blackHole(transfer(benchmark.scaledIterations.count, mode: .staged, consumer: .chase))
    }
}
