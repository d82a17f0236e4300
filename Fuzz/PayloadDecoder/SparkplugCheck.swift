// Check 4 of the PayloadDecoder target: the same bytes read as Sparkplug B, as each message type
// of one edge node in turn (NBIRTH, DBIRTH, NDATA, DDATA, DDEATH, NDEATH, then NDATA again),
// so that a payload is read both as births that define metrics and as DATA resolved by them.
// Whatever the bytes: nothing traps or reads out of bounds (AddressSanitizer); every message is
// counted; the quarantine totals are the records written; a message refused whole is one
// record and no reading; rebirth requests are counted as sent; every excerpt is in base64;
// after `flushAll` every tier counts exactly the accepted readings, and every rollup and
// quarantine line is JSON that Foundation reads back.

import Foundation
import Telemetry

/// Counts the rebirth requests of the Sparkplug check.
final class CountingSparkplugCommands: SparkplugCommandSink, @unchecked Sendable {
    // Only the fuzzing thread touches it.
    private(set) var requests = 0

    func requestRebirth(group: String, edgeNode: String) {
        requests += 1
    }
}

extension PayloadDecoderTarget {
    static let sparkplugTopics = [
        "spBv1.0/yen-my/NBIRTH/f01", "spBv1.0/yen-my/DBIRTH/f01/env-0003", "spBv1.0/yen-my/NDATA/f01",
        "spBv1.0/yen-my/DDATA/f01/env-0003", "spBv1.0/yen-my/DDEATH/f01/env-0003", "spBv1.0/yen-my/NDEATH/f01",
        "spBv1.0/yen-my/NDATA/f01",
    ].map { Array($0.utf8) }

    static func checkSparkplug(_ input: [UInt8]) {
        let catalogue = MetricCatalogue(definitions, strict: input.count % 2 == 0)
        var settings = settings()
        settings.sparkplug = SparkplugSubscription(rebirthIntervalMillis: 0)
        let sink = AccountingSink()
        let commands = CountingSparkplugCommands()
        let pipeline = IngestPipeline(settings: settings, catalogue: catalogue, sink: sink, sparkplugCommands: commands)
        let wholeMessageReasons: Set<QuarantineReason> = [
            .payloadTooLarge, .malformedPayload, .tooManyReadings, .sparkplugNotBorn, .sparkplugSeqGap,
            .sparkplugOutOfOrder, .sparkplugStaleDeath, .duplicateSeq,
        ]
        for (index, topic) in sparkplugTopics.enumerated() {
            let acceptedBefore = pipeline.stats.readingsAccepted
            let recordsBefore = sink.quarantined.count
            input.withUnsafeBytes { payload in
                topic.withUnsafeBytes { topic in
                    pipeline.ingest(
                        topic: topic, payload: payload, receivedAtNanos: (receivedMillis + Int64(index)) * 1_000_000)
                }
            }
            let accepted = pipeline.stats.readingsAccepted - acceptedBefore
            let reasons = sink.quarantined[recordsBefore...].map(\.reason)
            require(pipeline.stats.messages == index + 1, "Sparkplug: messages \(pipeline.stats.messages)")
            require(pipeline.stats.quarantinedTotal == sink.quarantined.count, "Sparkplug: quarantine totals")
            if let whole = reasons.first(where: wholeMessageReasons.contains) {
                require(
                    reasons == [whole] && accepted == 0,
                    "Sparkplug: a message refused as \(whole) gave \(reasons), \(accepted) accepted")
            }
            if input.count > maxPayloadBytes {
                require(reasons == [.payloadTooLarge], "Sparkplug: an oversized payload gave \(reasons)")
            }
        }
        require(pipeline.stats.sparkplugRebirthRequests == commands.requests, "Sparkplug: rebirth requests counted")
        require(sink.quarantined.allSatisfy(\.payloadIsBase64), "Sparkplug: an excerpt not in base64")
        checkFlushed(pipeline, sink, tiers: settings.tiers)
    }
}
