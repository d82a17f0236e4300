import SparkplugB

@testable import Telemetry

/// A pipeline reading Sparkplug B (the sink and the rebirth requests recorded), and the
/// payloads the Sparkplug tests send it, encoded by swift-protobuf from the generated code.
final class SparkplugTestBed {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"]),
        MetricDefinition(name: "door_open", kind: .state, unit: "", states: ["true", "false"]),
    ])
    /// When the tests' messages start (event and receive time, ms).
    static let t: Int64 = 1_765_000_000_000
    /// The device of edge node edge1's own metrics, and its device m1.
    static let node = DeviceKey(park: "plant", site: "edge1", device: "edge1")
    static let m1 = DeviceKey(park: "plant", site: "edge1", device: "m1")

    let sink = CollectingSink()
    let commands = RecordingSparkplugCommands()
    let pipeline: IngestPipeline

    init(sparkplug: SparkplugSubscription? = SparkplugSubscription(), maxSeries: Int = 1_000) throws {
        var settings = PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern))
        settings.sparkplug = sparkplug
        settings.maxSeries = maxSeries
        pipeline = IngestPipeline(
            settings: settings, catalogue: Self.catalogue, sink: sink, sparkplugCommands: commands)
    }

    func send(
        _ type: String, device: String? = nil, edge: String = "edge1", _ payload: SparkplugPayload, at millis: Int64
    )
        throws
    {
        let topic = "spBv1.0/plant/\(type)/\(edge)" + (device.map { "/\($0)" } ?? "")
        send(topic: topic, bytes: try SparkplugPayloadEncoder().encode(payload), at: millis)
    }

    func send(topic: String, bytes: [UInt8], at millis: Int64) {
        var topicBytes = Array(topic.utf8)
        var payload = bytes
        topicBytes.withUnsafeMutableBytes { topicBuffer in
            payload.withUnsafeMutableBytes { payloadBuffer in
                pipeline.ingest(
                    topic: UnsafeRawBufferPointer(topicBuffer), payload: UnsafeRawBufferPointer(payloadBuffer),
                    receivedAtNanos: millis * 1_000_000)
            }
        }
    }

    /// The 10 s window of `metric` on `device` after a flush.
    func window(_ device: DeviceKey, _ metric: String) -> RollupWindow? {
        sink.rollups.first { $0.tier.name == "10s" && $0.series == SeriesKey(device: device, metric: metric) }
    }

    func numeric(_ device: DeviceKey, _ metric: String) -> NumericPartial? {
        guard case .numeric(let partial) = window(device, metric)?.partial else { return nil }
        return partial
    }

    static func metric(
        _ name: String?, alias: UInt64? = nil, _ datatype: SparkplugDataType?, _ field: SparkplugValueField?,
        at millis: Int64? = nil
    ) -> SparkplugMetric {
        SparkplugMetric(
            name: name, alias: alias, timestamp: millis.map { UInt64($0) }, datatype: datatype?.rawValue, field: field)
    }

    /// NBIRTH of edge1 (bdSeq `bdSeq`, seq `seq`): temperature_c (alias 1) and parts_total (alias 2).
    static func nodeBirth(
        bdSeq: UInt64 = 0, seq: UInt64 = 0, temperature: Double = 20, at millis: Int64 = t
    )
        -> SparkplugPayload
    {
        SparkplugPayload(
            timestamp: UInt64(millis), seq: seq,
            metrics: [
                metric("bdSeq", .int64, .long(bdSeq)),
                metric("Node Control/Rebirth", .boolean, .boolean(false)),
                metric("temperature_c", alias: 1, .double, .double(temperature), at: millis),
                metric("parts_total", alias: 2, .uint64, .long(100), at: millis),
            ])
    }

    /// DBIRTH of m1: machine_state (alias 3), door_open (alias 4).
    static func deviceBirth(seq: UInt64, at millis: Int64 = t) -> SparkplugPayload {
        SparkplugPayload(
            timestamp: UInt64(millis), seq: seq,
            metrics: [
                metric("machine_state", alias: 3, .string, .string("running"), at: millis),
                metric("door_open", alias: 4, .boolean, .boolean(false), at: millis),
            ])
    }
}
