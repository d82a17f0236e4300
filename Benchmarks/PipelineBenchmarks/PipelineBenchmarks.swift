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

import Benchmark
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

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
        MetricMix(
            definitions: (0..<count).map {
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

/// Pre-built messages, devices round-robin. Every payload carries 13-digit timestamps that
/// `stamp` rewrites, so event time keeps moving forward (10 ms a message) and windows keep
/// closing as in production, and may carry a 10-digit `seq` that `stamp` rewrites too.
struct MessageSet {
    var topics: [[UInt8]] = []
    var payloads: [[UInt8]] = []
    /// The device of each message.
    var devices: [Int] = []
    /// Where the payloads' timestamps start, payload after payload (flat, so stamping copies no
    /// array); the k-th of a payload is stamped with the message's time + k ms.
    var timestampOffsets: [Int] = []
    /// Where each payload's run in `timestampOffsets` starts; one more entry than payloads.
    var firstTimestamp: [Int] = [0]
    /// Where each payload's `seq` digits start, or `nil` without one.
    var seqOffsets: [Int?] = []
    /// Sparkplug B payloads: timestamps and `seq` are varints (`MessageSet+Sparkplug.swift`).
    var isSparkplug = false
    static let parks = ["hoa-lac-hitech", "thang-long-ii", "pho-noi-a", "yen-my", "yen-my-ii", "dinh-vu"]
    /// Written seqs are this + the device's message count: 10 digits, the placeholder's width.
    static let seqBase: Int64 = 1_000_000_000
    static let timestampPlaceholder = "1763712000000"

    static func topic(device: Int, kind: String = "mch") -> [UInt8] {
        Array("iiot/\(parks[device % parks.count])/f\(device % 4)/\(kind)-\(device)/telemetry".utf8)
    }

    /// `{"ts":…,"values":{…}}` with one reading of every metric of `mix`, no `seq`.
    init(devices: Int, mix: MetricMix, count: Int) {
        for index in 0..<count {
            let device = index % devices
            let values = mix.definitions.indices.map {
                "\"\(mix.definitions[$0].name)\":\(mix.value(metric: $0, message: index, devices: devices))"
            }
            append(
                device: device, topic: Self.topic(device: device),
                text: "{\"ts\":\(Self.timestampPlaceholder),\"values\":{\(values.joined(separator: ","))}}")
        }
    }

    /// What `scripts/loadtest.py` sends with 20 readings per message: the simulator's `batch` shape,
    /// `[{"ts":…,"seq":…,"values":{…}},{"ts":…,"values":{…}},…]`, one entry per sample of the
    /// device's catalogue metrics, `readings` readings in all. Device `i` is an environment
    /// sensor (6 metrics), a machine (6, with counters and a state) or a utility meter (2), by
    /// `(i + i / 6) % 3` as in the simulator's fleet; 2 143 devices make 10 002 series.
    init(simulatorBatchOf devices: Int, readings: Int, count: Int) {
        let catalogue = MetricMix.catalogue
        let kinds: [(name: String, metrics: [Int])] = [("env", Array(0...5)), ("mch", Array(6...11)), ("utl", [12, 13])]
        for index in 0..<count {
            let device = index % devices
            let kind = kinds[(device + device / 6) % 3]
            var entries: [String] = []
            var values: [String] = []
            for reading in 0..<readings {
                let metric = kind.metrics[reading % kind.metrics.count]
                let value: String
                switch catalogue.definitions[metric].kind {
                case .gauge: value = "\(Double((index * 7 + reading * 13) % 9_000 + 1_000) / 100)"
                case .counter: value = "\(298_075 + index / devices * 3 + reading / kind.metrics.count).5"
                case .state: value = "\"\(["running", "idle"][(index / devices / 4) % 2])\""
                }
                values.append("\"\(catalogue.definitions[metric].name)\":\(value)")
                if values.count == kind.metrics.count || reading == readings - 1 {
                    let seq = entries.isEmpty ? "\"seq\":\(Self.seqBase)," : ""
                    entries.append("{\"ts\":\(Self.timestampPlaceholder),\(seq)\"values\":{\(values.joined(separator: ","))}}")
                    values = []
                }
            }
            append(
                device: device, topic: Self.topic(device: device, kind: kind.name), text: "[\(entries.joined(separator: ","))]")
        }
    }

    /// The same readings as `init(devices:mix:count:)` in InfluxDB line protocol: one line
    /// `telemetry,device=mch-<i> m0=…,m1=… <ts>` (milliseconds) per message, on the site's topic
    /// `iiot/<park>/f<n>/line`, as `lineSubscription` reads it.
    init(lineProtocolOf devices: Int, mix: MetricMix, count: Int) {
        for index in 0..<count {
            let device = index % devices
            let fields = mix.definitions.indices.map {
                "\(mix.definitions[$0].name)=\(mix.value(metric: $0, message: index, devices: devices))"
            }
            let text = "telemetry,device=mch-\(device) \(fields.joined(separator: ",")) \(Self.timestampPlaceholder)"
            let payload = Array(text.utf8)
            self.devices.append(device)
            topics.append(Array("iiot/\(Self.parks[device % Self.parks.count])/f\(device % 4)/line".utf8))
            payloads.append(payload)
            timestampOffsets.append(payload.count - Self.timestampPlaceholder.utf8.count)
            firstTimestamp.append(timestampOffsets.count)
            seqOffsets.append(nil)
        }
    }

    /// The subscription the line protocol messages are read with.
    static var lineSubscription: LineSubscription {
        do {
            return LineSubscription(
                pattern: try TopicPattern("iiot/{park}/{site}/line", required: ["park", "site"]),
                options: LineProtocolOptions(precision: .milliseconds, deviceTag: "device"))
        } catch {
            fatalError("line topic pattern rejected: \(error)")
        }
    }

    private mutating func append(device: Int, topic: [UInt8], text: String) {
        let payload = Array(text.utf8)
        devices.append(device)
        topics.append(topic)
        payloads.append(payload)
        timestampOffsets += Self.offsets(of: "\"ts\":", in: payload)
        firstTimestamp.append(timestampOffsets.count)
        seqOffsets.append(Self.offsets(of: "\"seq\":", in: payload).first)
    }

    /// Where the value after each occurrence of `key` starts in `payload`.
    private static func offsets(of key: String, in payload: [UInt8]) -> [Int] {
        let key = Array(key.utf8)
        return payload.indices.filter { payload[$0...].starts(with: key) }.map { $0 + key.count }
    }

    /// Writes `millis` (+ 1 per entry) as the payload's timestamps and `seq`, when it has one.
    mutating func stamp(_ index: Int, millis: Int64, seq: Int64) {
        if isSparkplug {
            for entry in firstTimestamp[index]..<firstTimestamp[index + 1] {
                writeVarintTimestamp(millis, at: timestampOffsets[entry], in: index)
            }
            if let offset = seqOffsets[index] { writeVarintSeq(seq, at: offset, in: index) }
            return
        }
        for entry in firstTimestamp[index]..<firstTimestamp[index + 1] {
            write(millis + Int64(entry - firstTimestamp[index]), digits: 13, at: timestampOffsets[entry], in: index)
        }
        if let offset = seqOffsets[index] { write(Self.seqBase + seq, digits: 10, at: offset, in: index) }
    }

    private mutating func write(_ value: Int64, digits: Int, at offset: Int, in index: Int) {
        var remaining = value
        for position in stride(from: offset + digits - 1, through: offset, by: -1) {
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
    /// Messages sent so far by each device: its next `seq`.
    var sequence: [Int64]
    /// Event and receive time of the latest message; starts a minute before an hour boundary.
    var clock: Int64 = 1_763_712_000_000 - 60_000

    init(messages: MessageSet, mix: MetricMix) {
        self.messages = messages
        sequence = Array(repeating: 0, count: (messages.devices.max() ?? 0) + 1)
        let pattern: TopicPattern
        do {
            pattern = try TopicPattern(TopicPattern.defaultPattern)
        } catch {
            fatalError("default topic pattern rejected: \(error)")
        }
        pipeline = IngestPipeline(
            settings: PipelineSettings(
                topicPattern: pattern, lineSubscriptions: [MessageSet.lineSubscription], sparkplug: SparkplugSubscription()),
            catalogue: MetricCatalogue(mix.definitions), sink: sink)
        guard messages.isSparkplug else { return }
        for birth in MessageSet.sparkplugBirths(devices: sequence.count, mix: mix) {
            birth.topic.withUnsafeBytes { topic in
                birth.payload.withUnsafeBytes { payload in
                    pipeline.ingest(topic: topic, payload: payload, receivedAtNanos: clock * 1_000_000)
                }
            }
        }
    }

    /// Ingests `count` messages, closing windows every 1 000 as the gateway's worker does under load.
    @inline(__always)
    func ingest(_ count: Int) {
        for _ in 0..<count {
            clock += 10
            let device = messages.devices[next]
            sequence[device] += 1
            messages.stamp(next, millis: clock, seq: sequence[device])
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

    /// How a scenario's messages are written: JSON `{ts, values}`, the load test's batch shape,
    /// or line protocol or Sparkplug B with the same readings as the first.
    enum Shape { case json, batch, line, sparkplug }
    typealias Scenario = (devices: Int, mix: MetricMix, name: String, memory: Bool, shape: Shape)
    let steadyState: [Scenario] = [
        (10, .gauges(1), "1 reading per message, 10 series", false, .json),
        (10, .gauges(20), "20 readings per message, 200 series", false, .json),
        (10, .gauges(20), "20 readings per message, 200 series, line protocol", false, .line),
        (10, .gauges(20), "20 readings per message, 200 series, Sparkplug B", false, .sparkplug),
        (1_000, .gauges(20), "20 readings per message, 20000 series", false, .json),
        (1_000, .gauges(20), "20 readings per message, 20000 series, line protocol", false, .line),
        (1_000, .gauges(20), "20 readings per message, 20000 series, Sparkplug B", false, .sparkplug),
        (5_000, .gauges(20), "20 readings per message, 100000 series", true, .json),
        (1_000, .catalogue, "14 catalogue metrics per message (gauges, counters, a state), 14000 series", false, .json),
        (
            1_000, .catalogue, "14 catalogue metrics per message (gauges, counters, a state), 14000 series, line protocol", false,
            .line
        ),
        (
            1_000, .catalogue, "14 catalogue metrics per message (gauges, counters, a state), 14000 series, Sparkplug B", false,
            .sparkplug
        ),
        (2_143, .catalogue, "20 readings per message as the loadtest sends them (batch shape, seq), 10002 series", false, .batch),
        (7_143, .catalogue, "14 catalogue metrics per message (gauges, counters, a state), 100002 series", true, .json),
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
                let count = max(10_000, scenario.devices)
                let messages: MessageSet
                switch scenario.shape {
                case .json: messages = MessageSet(devices: scenario.devices, mix: scenario.mix, count: count)
                case .batch: messages = MessageSet(simulatorBatchOf: scenario.devices, readings: 20, count: count)
                case .line: messages = MessageSet(lineProtocolOf: scenario.devices, mix: scenario.mix, count: count)
                case .sparkplug: messages = MessageSet(sparkplugOf: scenario.devices, mix: scenario.mix, count: count)
                }
                let before = residentBytes("VmRSS")
                let fresh = PipelineRun(messages: messages, mix: scenario.mix)
                // Every device sends four messages and the clock crosses an hour boundary.
                fresh.ingest(max(4 * scenario.devices, 12_000))
                // A scenario measures accepted readings: one that quarantines measures something else.
                guard fresh.sink.quarantined == 0 else {
                    fatalError("\(scenario.name): \(fresh.sink.quarantined) quarantine records while warming up")
                }
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

    decoderBenchmarks(devices: 10, mix: .gauges(20), name: "20 readings per message")
    decoderBenchmarks(devices: 1_000, mix: .catalogue, name: "14 catalogue metrics per message")

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
