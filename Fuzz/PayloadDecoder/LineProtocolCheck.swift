// Check 3 of the PayloadDecoder target: the same bytes read as InfluxDB line protocol, on the
// topic of a line subscription (device from the `host` tag, park and site from the topic),
// delivered twice with the same packet id. Whatever the bytes: nothing traps or reads out of
// bounds (AddressSanitizer); a message refused whole (too large, malformed, too many readings,
// a line naming no device, the same timestamped payload again) is exactly one quarantine
// record and no accepted reading; otherwise every record has a per-reading reason (or a
// line's `name_too_long` / `cardinality_limit`) and a metric, except a line's device-level
// record; after `flushAll` every tier counts exactly the accepted readings; and every rollup
// and quarantine line is JSON that Foundation reads back.

import Foundation
import Telemetry

extension PayloadDecoderTarget {
    static let lineTopic = Array("lp/yen-my/f01".utf8)

    /// The target's settings with a line subscription on `lp/{park}/{site}`.
    static func lineSettings() -> PipelineSettings {
        var settings = settings()
        do {
            settings.lineSubscriptions = [
                LineSubscription(
                    pattern: try TopicPattern("lp/{park}/{site}", required: ["park", "site"]),
                    options: LineProtocolOptions(precision: .milliseconds, deviceTag: "host"))
            ]
        } catch {
            fatalError("the line topic pattern is invalid: \(error)")
        }
        return settings
    }

    static func checkLineProtocol(_ input: [UInt8]) {
        let catalogue = MetricCatalogue(definitions, strict: input.count % 2 == 0)
        let settings = lineSettings()
        let sink = AccountingSink()
        let pipeline = IngestPipeline(settings: settings, catalogue: catalogue, sink: sink)
        let wholeMessageReasons: Set<QuarantineReason> = [
            .payloadTooLarge, .malformedPayload, .tooManyReadings, .duplicatePayload,
        ]
        for round in 0..<2 {
            let acceptedBefore = pipeline.stats.readingsAccepted
            let recordsBefore = sink.quarantined.count
            input.withUnsafeBytes { payload in
                lineTopic.withUnsafeBytes { topic in
                    pipeline.ingest(
                        topic: topic, payload: payload, receivedAtNanos: (receivedMillis + Int64(round)) * 1_000_000,
                        packetID: 7)
                }
            }
            let accepted = pipeline.stats.readingsAccepted - acceptedBefore
            let records = Array(sink.quarantined[recordsBefore...])
            let reasons = records.map(\.reason)
            require(pipeline.stats.messages == round + 1, "line protocol: messages \(pipeline.stats.messages)")
            require(pipeline.stats.quarantinedTotal == sink.quarantined.count, "line protocol: quarantine totals")
            if let whole = reasons.first(where: wholeMessageReasons.contains) {
                require(
                    reasons == [whole] && accepted == 0,
                    "line protocol: a message refused as \(whole) gave \(reasons), \(accepted) accepted")
            } else {
                require(
                    records.allSatisfy {
                        ($0.reason.isPerReading && $0.metric != nil)
                            || (($0.reason == .cardinalityLimit || $0.reason == .nameTooLong) && $0.seq == nil)
                    }, "line protocol: unexpected records \(reasons)")
            }
            if input.count > maxPayloadBytes {
                require(reasons == [.payloadTooLarge], "line protocol: an oversized payload gave \(reasons)")
            }
        }
        checkFlushed(pipeline, sink, tiers: settings.tiers)
    }
}
