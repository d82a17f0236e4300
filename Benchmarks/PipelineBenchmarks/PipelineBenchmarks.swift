// The in-process data path on one core: raw message bytes → decode → validate → aggregate
// (three tiers) → closed windows, with a sink that only counts. Throughput and `Malloc (total)`
// are per message (scaling factor `.kilo`: one iteration ingests 1 000 messages); multiply the
// throughput by the readings per message for readings per second.
//
// The steady-state benchmarks keep one pipeline for all iterations and warm it up before the
// first measurement (every device has sent several messages and an hour boundary has been
// crossed, so every series exists and the window storage has reached its high-water mark):
// they measure what a running gateway pays per message. The "first contact" benchmark
// measures the opposite case, a device the gateway has never seen, and so the cost of
// registering its series.

#if canImport(Glibc)
import Glibc
#endif
import Benchmark
import Telemetry

/// Counts what the pipeline writes, so nothing is optimised away and no I/O is measured.
final class CountingSink: IngestSink {
    var rollups = 0
    var quarantined = 0
    func write(_ rollup: RollupWindow) { rollups += 1 }
    func write(_ record: QuarantineRecord) { quarantined += 1 }
}

/// The metrics a benchmark's devices send, one reading of each per message.
struct MetricMix {
    var definitions: [MetricDefinition]

    /// `count` gauges named `m0`, `m1`, … with the range 0…1000.
    static func gauges(_ count: Int) -> MetricMix {
        MetricMix(definitions: (0..<count).map {
            MetricDefinition(name: "m\($0)", kind: .gauge, unit: "u", validRange: 0...1000)
        })
    }

    /// The fourteen metrics of `config/metrics.yaml`: gauges, counters and a state, with names
    /// up to 20 bytes long (longer than Swift's 15-byte inline strings).
    static let catalogue = MetricMix(definitions: [
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "humidity_pct", kind: .gauge, unit: "%", validRange: 0...100),
        MetricDefinition(name: "pm25_ugm3", kind: .gauge, unit: "µg/m³", validRange: 0...1000),
        MetricDefinition(name: "pm10_ugm3", kind: .gauge, unit: "µg/m³", validRange: 0...2000),
        MetricDefinition(name: "co2_ppm", kind: .gauge, unit: "ppm", validRange: 0...10000),
        MetricDefinition(name: "noise_dba", kind: .gauge, unit: "dBA", validRange: 0...160),
        MetricDefinition(name: "vibration_rms_mms", kind: .gauge, unit: "mm/s", validRange: 0...100),
        MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...5000),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "rejected_parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
        MetricDefinition(name: "water_flow_m3h", kind: .gauge, unit: "m³/h", validRange: 0...10000),
        MetricDefinition(name: "pressure_bar", kind: .gauge, unit: "bar", validRange: 0...100),
    ])

    /// The JSON text of the reading of metric `metric` in message `index`.
    func value(metric: Int, message index: Int, devices: Int) -> String {
        switch definitions[metric].kind {
        case .gauge: return "\(Double((index * 7 + metric * 13) % 1000) / 10)"
        case .counter: return "\(index / devices * 3 + metric)"
        case .state: return "\"\(definitions[metric].states[(index / devices) % definitions[metric].states.count])\""
        }
    }
}

/// Pre-built messages: `devices` devices round-robin, one reading of every metric of `mix` per
/// message. Each payload starts `{"ts":` followed by 13 digits that `stamp` rewrites, so event
/// time keeps moving forward (10 ms a message) and windows keep closing as in production.
struct MessageSet {
    var topics: [[UInt8]] = []
    var payloads: [[UInt8]] = []
    static let timestampOffset = 6
    static let parks = ["hoa-lac-hitech", "thang-long-ii", "pho-noi-a", "yen-my", "yen-my-ii", "dinh-vu"]

    init(devices: Int, mix: MetricMix, count: Int) {
        for index in 0..<count {
            let device = index % devices
            topics.append(Array("iiot/\(Self.parks[device % Self.parks.count])/f\(device % 4)/mch-\(device)/telemetry".utf8))
            let values = mix.definitions.indices.map {
                "\"\(mix.definitions[$0].name)\":\(mix.value(metric: $0, message: index, devices: devices))"
            }
            payloads.append(Array("{\"ts\":1763712000000,\"values\":{\(values.joined(separator: ","))}}".utf8))
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

/// A pipeline fed from a message set; kept across iterations by the steady-state benchmarks.
final class PipelineRun {
    var messages: MessageSet
    let sink = CountingSink()
    let pipeline: IngestPipeline
    var next = 0
    /// Event and receive time of the latest message; starts a minute before an hour boundary.
    var clock: Int64 = 1_763_712_000_000 - 60_000

    init(messages: MessageSet, mix: MetricMix) {
        self.messages = messages
        let pattern: TopicPattern
        do {
            pattern = try TopicPattern(TopicPattern.defaultPattern)
        } catch {
            fatalError("default topic pattern rejected: \(error)")
        }
        pipeline = IngestPipeline(
            settings: PipelineSettings(topicPattern: pattern), catalogue: MetricCatalogue(mix.definitions), sink: sink)
    }

    /// Ingests `count` messages, closing windows every 1 000 as the gateway's worker does under load.
    @inline(__always)
    func ingest(_ count: Int) {
        for _ in 0..<count {
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
    }
}

/// Resident set size of this process now (`VmRSS`) or at its peak (`VmHWM`), in bytes.
func residentBytes(_ field: String) -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix(field + ":") else { continue }
        let kibibytes = text.dropFirst(field.count + 1).filter(\.isNumber)
        return (Int(kibibytes) ?? 0) * 1_024
    }
    return 0
}

/// Memory figures of the 100 000-series benchmark, taken once after its warm-up: the whole
/// process's resident set (`VmRSS`) and its peak so far (`VmHWM`, which includes transient
/// copies while arrays grew), and the growth of the resident set while the pipeline was built
/// and warmed up (its own memory, without the benchmark's messages).
let residentAfterWarmUp = BenchmarkMetric.custom("Resident after warm-up (MiB)", useScalingFactor: false)
let residentPeak = BenchmarkMetric.custom("Peak resident (MiB)", useScalingFactor: false)
let residentOfPipeline = BenchmarkMetric.custom("Pipeline resident (MiB)", useScalingFactor: false)
/// Bytes of one checkpoint of the pipeline state.
let checkpointSize = BenchmarkMetric.custom("Checkpoint size (MiB)", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000)

    let steadyState: [(devices: Int, mix: MetricMix, name: String, memory: Bool)] = [
        (10, .gauges(1), "1 reading per message, 10 series", false),
        (10, .gauges(20), "20 readings per message, 200 series", false),
        (1_000, .gauges(20), "20 readings per message, 20000 series", false),
        (5_000, .gauges(20), "20 readings per message, 100000 series", true),
        (1_000, .catalogue, "14 catalogue metrics per message (gauges, counters, a state), 14000 series", false),
    ]
    for scenario in steadyState {
        var configuration = Benchmark.defaultConfiguration
        if scenario.memory {
            configuration.metrics += [residentOfPipeline, residentAfterWarmUp, residentPeak]
        }
        var run: PipelineRun?
        var memory = (pipeline: 0, afterWarmUp: 0, peak: 0)
        Benchmark("Pipeline/ingest \(scenario.name)", configuration: configuration) { benchmark in
            if run == nil {
                let messages = MessageSet(devices: scenario.devices, mix: scenario.mix, count: max(10_000, scenario.devices))
                let before = residentBytes("VmRSS")
                let fresh = PipelineRun(messages: messages, mix: scenario.mix)
                // Every device sends four messages and the clock crosses an hour boundary.
                fresh.ingest(max(4 * scenario.devices, 12_000))
                run = fresh
                let after = residentBytes("VmRSS")
                memory = (after - before, after, residentBytes("VmHWM"))
            }
            guard let run else { return }
            if scenario.memory {
                benchmark.measurement(residentOfPipeline, memory.pipeline >> 20)
                benchmark.measurement(residentAfterWarmUp, memory.afterWarmUp >> 20)
                benchmark.measurement(residentPeak, memory.peak >> 20)
            }
            benchmark.startMeasurement()
            run.ingest(benchmark.scaledIterations.count)
            benchmark.stopMeasurement()
            blackHole(run.sink.rollups + run.sink.quarantined)
        }
    }

    // The checkpoint the gateway writes every 2 s or half a ring under load: the whole pipeline
    // state serialised into a reused writer (the keeper's buffer), with 100 000 series whose
    // windows are open in every tier. One iteration is one checkpoint.
    var checkpointRun: PipelineRun?
    var checkpointWriter = CheckpointWriter()
    var checkpointConfiguration = Benchmark.defaultConfiguration
    checkpointConfiguration.scalingFactor = .one
    checkpointConfiguration.metrics += [checkpointSize]
    Benchmark("Pipeline/checkpoint of 100000 series", configuration: checkpointConfiguration) { benchmark in
        if checkpointRun == nil {
            let fresh = PipelineRun(messages: MessageSet(devices: 5_000, mix: .gauges(20), count: 10_000), mix: .gauges(20))
            fresh.ingest(20_000)
            checkpointRun = fresh
        }
        guard let run = checkpointRun else { return }
        for _ in benchmark.scaledIterations {
            checkpointWriter.removeAll()
            run.pipeline.writeCheckpointState(to: &checkpointWriter)
        }
        benchmark.measurement(checkpointSize, checkpointWriter.bytes.count >> 20)
        blackHole(checkpointWriter.bytes.count)
    }

    // A fresh pipeline per iteration and 1 000 devices: every message comes from a device not
    // seen before, so each one registers a device and its 20 series. The messages are built per
    // iteration too: stamping a shared copy would copy each payload (one allocation a message).
    Benchmark("Pipeline/first contact: 20 readings per message from a new device") { benchmark in
        let run = PipelineRun(messages: MessageSet(devices: 1_000, mix: .gauges(20), count: 1_000), mix: .gauges(20))
        benchmark.startMeasurement()
        run.ingest(benchmark.scaledIterations.count)
        benchmark.stopMeasurement()
        blackHole(run.sink.rollups + run.sink.quarantined)
    }
}
