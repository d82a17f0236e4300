@testable import Telemetry

extension IngestPipeline {
    /// Ingests one message given as strings, received at `millis` with `packetID` (tests only).
    func send(
        topic: String, payload: String, receivedAtMillis millis: Int64, packetID: UInt16 = 0, retained: Bool = false,
        payloadBytes fullPayloadBytes: Int? = nil
    ) {
        var topicBytes = Array(topic.utf8)
        var payloadBytes = Array(payload.utf8)
        topicBytes.withUnsafeMutableBytes { topicBuffer in
            payloadBytes.withUnsafeMutableBytes { payloadBuffer in
                ingest(topic: UnsafeRawBufferPointer(topicBuffer), payload: UnsafeRawBufferPointer(payloadBuffer),
                       receivedAtNanos: millis * 1_000_000, packetID: packetID, retained: retained,
                       payloadBytes: fullPayloadBytes)
            }
        }
    }
}
