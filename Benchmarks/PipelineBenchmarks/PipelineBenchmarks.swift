// The in-process data path on one core: raw message bytes → decode → validate → aggregate
// (three tiers) → closed windows, with a sink that only counts. Throughput is messages per
// second; multiply by the readings per message for readings per second.

import Benchmark
import Telemetry

/// Counts what the pipeline writes, so nothing is optimised away and no I/O is measured.
final class CountingSink: IngestSink {
    var rollups = 0
    var quarantined = 0
    func write(_ rollup: RollupWindow) { rollups += 1 }
    func write(_ record: QuarantineRecord) { quarantined += 1 }
}

/// Pre-built messages: `devices` devices round-robin, `readings` gauges per message. Each
/// payload starts `{"ts":` followed by 13 digits that `stamp` rewrites, so event time keeps
/// moving forward (10 ms a message) and windows keep closing as in production.
struct MessageSet {
    var topics: [[UInt8]] = []
    var payloads: [[UInt8]] = []
    static let timestampOffset = 6

    init(devices: Int, readings: Int, count: Int) {
        for index in 0..<count {
            let device = index % devices
            topics.append(Array("iiot/thang-long-ii/f\(device % 4)/mch-\(device)/telemetry".utf8))
            let values = (0..<readings).map { "\"m\($0)\":\(Double((index * 7 + $0 * 13) % 1000) / 10)" }.joined(separator: ",")
            payloads.append(Array("{\"ts\":1763712000000,\"values\":{\(values)}}".utf8))
        }
    }

    /// Writes `millis` (13 digits) as the payload's timestamp.
    mutating func stamp(_ index: Int, millis: Int64) {
        var remaining = millis
        for position in stride(from: Self.timestampOffset + 12, through: Self.timestampOffset, by: -1) {
            payloads[index][position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}

func makePipeline(readings: Int, sink: CountingSink) -> IngestPipeline {
    let catalogue = MetricCatalogue((0..<max(readings, 1)).map {
        MetricDefinition(name: "m\($0)", kind: .gauge, unit: "u", validRange: 0...1000)
    })
    let pattern: TopicPattern
    do {
        pattern = try TopicPattern(TopicPattern.defaultPattern)
    } catch {
        fatalError("default topic pattern rejected: \(error)")
    }
    return IngestPipeline(settings: PipelineSettings(topicPattern: pattern), catalogue: catalogue, sink: sink)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000)

    for (readings, devices) in [(20, 10), (1, 10), (20, 1_000)] {
        let name = "Pipeline/ingest \(readings) reading\(readings == 1 ? "" : "s") per message, \(devices * readings) series"
        Benchmark(name) { benchmark in
            var messages = MessageSet(devices: devices, readings: readings, count: 10_000)
            let sink = CountingSink()
            let pipeline = makePipeline(readings: readings, sink: sink)
            var next = 0
            var clock: Int64 = 1_763_712_000_000
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                clock += 10
                messages.stamp(next, millis: clock)
                messages.topics[next].withUnsafeBytes { topic in
                    messages.payloads[next].withUnsafeBytes { payload in
                        pipeline.ingest(topic: topic, payload: payload, receivedAtNanos: clock * 1_000_000)
                    }
                }
                next += 1
                if next == messages.payloads.count { next = 0 }
                if next % 1_000 == 0 { pipeline.closeWindows(ingestClockMillis: clock) }
            }
            benchmark.stopMeasurement()
            blackHole(sink.rollups + sink.quarantined)
        }
    }
}
