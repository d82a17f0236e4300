import Telemetry

/// Delivering one message to both pipelines, and what the primary's stats, quarantine records
/// and ledger must show for it.
extension PipelineProgram {
    /// Ingests one message into both pipelines and checks what the primary made of it.
    /// `fullSize`, when given, is the size of the whole payload `payload` was cut from.
    func ingest(topic: Int, payload: [UInt8], packetID: UInt16, delivery: Delivery, fullSize: Int? = nil) {
        let topicBytes = PipelineFixture.topics[topic]
        let device = PipelineFixture.deviceKeys[topic]
        let receivedNanos = nowMillis * 1_000_000 + 321
        let before = primary.stats
        let recordsBefore = primarySink.quarantined.count
        let rollupsBefore = primarySink.rollups.count
        let message = Message(
            topic: topicBytes, payload: payload, receivedNanos: receivedNanos, packetID: packetID,
            retained: delivery == .retained,
            fullSize: fullSize)
        deliver(message, to: primary, viaRing: viaRing)
        if let twin { deliver(message, to: twin, viaRing: false) }
        let after = primary.stats
        let records = Array(primarySink.quarantined[recordsBefore...])
        Trace.log(
            """
            \(delivery) message at start + \(nowMillis - PipelineFixture.startMillis) ms, packet id \(packetID), topic \(Trace.text(topicBytes))\(fullSize.map { ", cut from \($0) bytes" } ?? ""):
              \(Trace.text(payload))
              -> \(after.readingsAccepted - before.readingsAccepted) accepted, quarantined \(records.map { "\($0.reason.rawValue)\($0.metric.map { " " + $0.debugDescription } ?? "")\($0.readings.map { " ×\($0)" } ?? "")" })
            """)
        let accepted = after.readingsAccepted - before.readingsAccepted
        let reasons = records.map(\.reason)
        // Readings rejected in summary records (beyond `readingRecordsPerMessage`).
        let summarised = records.reduce(0) { $0 + ($1.readings ?? 0) }

        let payloadBytes = max(fullSize ?? 0, payload.count)
        var decoded = DecodedPayload()
        let decodable =
            payloadBytes <= settings.maxPayloadBytes
            && payload.withUnsafeBytes { bytes in
                do throws(PayloadError) {
                    try decoder.decode(bytes, into: &decoded)
                    return true
                } catch {
                    return false
                }
            }

        Invariant.require(
            after.messages == before.messages + 1,
            "stats.messages went from \(before.messages) to \(after.messages) for one message")
        Invariant.require(primarySink.rollups.count == rollupsBefore, "ingest wrote rollups")
        if message.retained && !settings.acceptRetained {
            var expected = before
            expected.messages += 1
            expected.retainedSkipped += 1
            Invariant.require(
                after == expected && records.isEmpty, "a retained message was not just skipped: \(reasons), stats \(after)")
            compareTwin()
            last = nil
            return
        }
        Invariant.require(
            after.retainedSkipped == before.retainedSkipped, "a message without the retain flag counted as retained")
        for record in records {
            Invariant.require(
                record.payloadBytes == payloadBytes,
                "quarantine record payload_bytes \(record.payloadBytes), payload has \(payloadBytes)")
            Invariant.require(
                !record.reason.isPerReading || record.metric != nil || record.readings != nil,
                "\(record.reason) record without a metric")
            Invariant.require(
                record.receivedAtMillis == nowMillis, "quarantine record received at \(record.receivedAtMillis), not \(nowMillis)"
            )
        }

        // A record names a metric exactly when it rejects one reading, and a summary of several
        // rejected readings gives their number (docs/formats.md, "Quarantine record").
        let wholeMessage = records.contains { $0.metric == nil && $0.readings == nil }
        if wholeMessage {
            Invariant.require(
                records.count == 1 && accepted == 0,
                "a message quarantined as a whole gave \(reasons) and \(accepted) accepted readings")
            Invariant.require(
                records[0].device == nil || records[0].device == device,
                "quarantine record of device \(String(describing: records[0].device)), the topic names \(String(describing: device))"
            )
        } else {
            guard decodable, let device, topicBytes.count <= settings.maxTopicBytes else {
                Invariant.fail(
                    "a message with an unusable topic or payload was not quarantined as a whole: \(reasons), \(accepted) accepted"
                )
            }
            let single = records.filter { $0.readings == nil }
            Invariant.require(
                accepted + single.count + summarised == decoded.readings.count,
                "\(accepted) accepted + \(single.count) quarantined (\(reasons)) + \(summarised) summarised != \(decoded.readings.count) readings"
            )
            Invariant.require(
                records.count == single.count || (records.count == single.count + 1 && records.last?.readings != nil),
                "summary records \(records.map(\.readings)) not one, last")
            Invariant.require(
                summarised == 0 || single.count == settings.readingRecordsPerMessage,
                "a summary after \(single.count) single records, not \(settings.readingRecordsPerMessage)")
            for record in records {
                Invariant.require(
                    (record.metric != nil || record.readings ?? 0 > 0) && record.device == device && record.seq == decoded.seq,
                    "per-reading record \(record.reason) without the metric, device or seq of its message")
            }
            ledger.record(
                device: device,
                readings: decoded.readings.map { (recordedName($0.metric), $0.timestampMillis ?? nowMillis) },
                rejected: single.map { ($0.metric ?? "", $0.reason) }, summarised: summarised)
        }

        let redelivered = after.redeliveredMessages - before.redeliveredMessages
        Invariant.require(redelivered == 0 || redelivered == 1, "one message counted as \(redelivered) redeliveries")
        Invariant.require(
            after.redeliveredReadings - before.redeliveredReadings == (redelivered == 1 ? accepted : 0),
            "redelivered readings grew by \(after.redeliveredReadings - before.redeliveredReadings), \(accepted) accepted")
        if delivery == .redelivery || delivery == .resend, let last, last.admitted {
            if let seq = last.seq {
                Invariant.require(
                    reasons == [.duplicateSeq] && records.first?.seq == seq && accepted == 0,
                    "seq \(seq) delivered again gave \(reasons), \(accepted) accepted")
            } else if last.readingCount > 0 && last.allTimestamped && settings.redeliveryWindow > 0 {
                Invariant.require(
                    reasons == [.duplicatePayload] && accepted == 0,
                    "timestamped readings delivered again gave \(reasons), \(accepted) accepted")
            } else if delivery == .redelivery {
                // (A resend under another packet id may match an older message's id and bytes,
                // so only the redelivery has a certain outcome.)
                let expected = last.readingCount > 0 && packetID != 0 && settings.redeliveryWindow > 0
                Invariant.require(
                    redelivered == (expected ? 1 : 0),
                    "redelivery of readings without ts counted \(redelivered) redeliveries, expected \(expected ? 1 : 0)")
            }
        }

        checkStats(before: before, after: after, records: records)
        compareTwin()
        last = Delivered(
            topic: topic, payload: payload, packetID: packetID, fullSize: fullSize, admitted: !wholeMessage, seq: decoded.seq,
            readingCount: decoded.readings.count, allTimestamped: decoded.readings.allSatisfy { $0.timestampMillis != nil })
    }

    /// One MQTT delivery as the gateway's MQTT thread hands it over.
    struct Message {
        var topic: [UInt8]
        var payload: [UInt8]
        var receivedNanos: Int64
        var packetID: UInt16
        var retained: Bool
        /// The whole payload's size when `payload` is only its beginning.
        var fullSize: Int?
    }

    /// Hands one message to `pipeline`, straight or through the ring (push, then consume it
    /// and ingest from the ring's view of it, which must be what was pushed).
    func deliver(_ message: Message, to pipeline: IngestPipeline, viaRing: Bool) {
        message.topic.withUnsafeBytes { topic in
            message.payload.withUnsafeBytes { payload in
                guard viaRing else {
                    pipeline.ingest(
                        topic: topic, payload: payload, receivedAtNanos: message.receivedNanos, packetID: message.packetID,
                        retained: message.retained, payloadBytes: message.fullSize)
                    return
                }
                let ring = PipelineFixture.ring
                let outcome = ring.push(
                    topic: topic, payload: payload, receivedAtNanos: message.receivedNanos, packetID: message.packetID,
                    retained: message.retained, payloadBytes: message.fullSize)
                Invariant.require(outcome == .pushed(waitedNanos: 0), "push into the empty ring gave \(outcome)")
                let consumed = ring.consume(maxMessages: 4) { raw in
                    Invariant.require(
                        raw.topic.elementsEqual(topic) && raw.payload.elementsEqual(payload)
                            && raw.receivedAtNanos == message.receivedNanos
                            && raw.packetID == message.packetID && raw.retained == message.retained
                            && raw.payloadBytes == max(message.fullSize ?? 0, payload.count),
                        "the ring gave back another message than was pushed")
                    pipeline.ingest(
                        topic: raw.topic, payload: raw.payload, receivedAtNanos: raw.receivedAtNanos, packetID: raw.packetID,
                        retained: raw.retained, payloadBytes: raw.payloadBytes)
                }
                Invariant.require(
                    consumed == 1 && ring.usedBytes == 0,
                    "the ring gave \(consumed) messages for 1 and kept \(ring.usedBytes) bytes")
            }
        }
    }
}
