@testable import Telemetry

/// The pipeline factory and message helper every pipeline test uses.
extension IngestPipeline {
    /// A pipeline on the default topic pattern writing to `sink`, with `configure` applied to
    /// the default settings (tests only).
    static func forTesting(
        _ sink: IngestSink, catalogue: MetricCatalogue, configure: (inout PipelineSettings) -> Void = { _ in }
    ) throws -> IngestPipeline {
        var settings = PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern))
        configure(&settings)
        return IngestPipeline(settings: settings, catalogue: catalogue, sink: sink)
    }

    /// Ingests one message given as strings, received at `millis` with `packetID` (tests only).
    func send(
        topic: String, payload: String, receivedAtMillis millis: Int64, packetID: UInt16 = 0, retained: Bool = false,
        payloadBytes fullPayloadBytes: Int? = nil
    ) {
        var topicBytes = Array(topic.utf8)
        var payloadBytes = Array(payload.utf8)
        topicBytes.withUnsafeMutableBytes { topicBuffer in
            payloadBytes.withUnsafeMutableBytes { payloadBuffer in
                ingest(
                    topic: UnsafeRawBufferPointer(topicBuffer), payload: UnsafeRawBufferPointer(payloadBuffer),
                    receivedAtNanos: millis * 1_000_000, packetID: packetID, retained: retained,
                    payloadBytes: fullPayloadBytes)
            }
        }
    }
}
