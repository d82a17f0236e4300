/// Poison messages: a message the engine died inside twice is set aside, not ingested again
/// (`PoisonGuard` decides; this is what the engine does with the verdict).
extension IngestEngine {
    /// Quarantines a message that stopped the gateway `deaths` times instead of ingesting it.
    func setAside(_ message: RawMessage, deaths: Int, position: Int?) {
        let topic = String(decoding: message.topic.prefix(256), as: UTF8.self)
        let detail =
            position.map {
                "the gateway stopped \(deaths) times while ingesting this message (write-ahead ring byte \($0)); set aside unread so that ingestion goes on"
            } ?? "the same topic and payload as a message that stopped the gateway \(deaths) times; set aside unread"
        let nowMillis = WallClock.millis()
        poisonCopiesUnreported += 1
        let reportDue = poisonCopyReportedAtMillis.map { nowMillis - $0 >= 60_000 || nowMillis < $0 } ?? true
        if position != nil || reportDue {
            observer.record(
                EngineEvent(
                    .error, "poison message quarantined: \(detail)",
                    metadata: [
                        "topic": topic, "payload_bytes": "\(message.payloadBytes)",
                        "set_aside_since_last_line": "\(poisonCopiesUnreported)",
                    ]))
            poisonCopiesUnreported = 0
            if position == nil { poisonCopyReportedAtMillis = nowMillis }
        }
        pipeline.quarantinePoison(
            topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
            payloadBytes: message.payloadBytes, detail: detail)
    }

    /// The test hook behind `EngineConfiguration.crashMarker`.
    static func trap(on marker: [UInt8], in message: RawMessage) {
        let payload = message.payload
        guard payload.count >= marker.count else { return }
        let found = (0...(payload.count - marker.count)).contains { start in
            marker.indices.allSatisfy { payload[start + $0] == marker[$0] }
        }
        if found { fatalError("test hook GATEWAY_TEST_CRASH_ON_PAYLOAD: trapping on a marked payload") }
    }
}
