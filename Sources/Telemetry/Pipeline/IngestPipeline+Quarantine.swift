/// Writing quarantine records: one per rejected message or reading, a summary beyond the
/// per-message threshold, excerpts within the per-second budget, and poison messages.
extension IngestPipeline {
    /// Quarantines a message without looking inside it, as `poison_message`: processes died
    /// while ingesting it (`PoisonGuard`). Only its bytes are copied, into the record.
    public func quarantinePoison(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, payloadBytes: Int? = nil,
        detail: String
    ) {
        let receivedMillis = receivedAtNanos / 1_000_000
        stats.messages += 1
        latestReceivedMillis = max(latestReceivedMillis, receivedMillis)
        let message = MessageContext(
            topic: topic, payload: payload, payloadBytes: max(payloadBytes ?? 0, payload.count), receivedMillis: receivedMillis)
        quarantine(message, .poisonMessage, detail)
    }

    /// The message being processed, for quarantine records.
    struct MessageContext {
        var topic: UnsafeRawBufferPointer
        var payload: UnsafeRawBufferPointer
        /// The whole payload's size (`payload` may be its beginning only).
        var payloadBytes: Int
        var receivedMillis: Int64
        /// A binary payload (Sparkplug B): its excerpt is written in base64.
        var isBinary = false
    }

    func quarantine(
        _ message: MessageContext, _ reason: QuarantineReason, _ detail: String,
        device: DeviceKey? = nil, metric: String? = nil, seq: UInt64? = nil, summarisedReadings: Int? = nil
    ) {
        // A summary's readings were counted by reason already, but not by device.
        if summarisedReadings == nil { stats.quarantined[reason, default: 0] += 1 }
        if let device { countQuarantined(summarisedReadings ?? 1, of: device) }
        let second = message.receivedMillis / 1000
        if second != excerptSecond {
            excerptSecond = second
            excerptsThisSecond = 0
        }
        let withExcerpt = excerptsThisSecond < settings.excerptsPerSecond
        if withExcerpt { excerptsThisSecond += 1 }
        let excerpt = UnsafeRawBufferPointer(rebasing: message.payload.prefix(withExcerpt ? settings.payloadExcerptBytes : 0))
        var record = QuarantineRecord(
            receivedAtMillis: message.receivedMillis,
            topic: String(decoding: message.topic.prefix(settings.maxTopicBytes), as: UTF8.self),
            reason: reason, detail: detail,
            payloadExcerpt: message.isBinary ? Base64.encode(Array(excerpt)) : String(decoding: excerpt, as: UTF8.self),
            payloadBytes: message.payloadBytes, device: device, metric: metric, seq: seq)
        record.payloadOmitted = !withExcerpt && !message.payload.isEmpty
        record.payloadIsBase64 = message.isBinary
        record.readings = summarisedReadings
        sink.write(record)
    }

    /// Quarantines `message` as `payload_too_large` when its payload is over
    /// `settings.maxPayloadBytes`, before anything reads it; returns whether it did. `device`
    /// is only evaluated then, off the hot path.
    func refusedAsTooLarge(_ message: MessageContext, device: @autoclosure () -> DeviceKey? = nil) -> Bool {
        guard message.payloadBytes > settings.maxPayloadBytes else { return false }
        quarantine(
            message, .payloadTooLarge,
            "payload of \(message.payloadBytes) bytes exceeds the limit of \(settings.maxPayloadBytes) bytes", device: device())
        return true
    }

    /// Adds `count` to `device`'s quarantines; a device not listed yet is listed only while
    /// fewer than `settings.maxSeries` are (see `PipelineStats.quarantinedByDevice`).
    private func countQuarantined(_ count: Int, of device: DeviceKey) {
        if let counted = stats.quarantinedByDevice[device] {
            stats.quarantinedByDevice[device] = counted.addingSaturated(count)
        } else if stats.quarantinedByDevice.count < settings.maxSeries {
            stats.quarantinedByDevice[device] = count
        }
    }

    /// One record for the rejected readings of a message beyond `readingRecordsPerMessage`,
    /// each still counted under its own reason. The record's reason is the most frequent one.
    @inline(never)
    func quarantineSummary(
        _ message: MessageContext, _ summarised: [QuarantineReason: Int], device: DeviceKey, seq: UInt64?
    ) {
        let byCount = summarised.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let total = summarised.values.reduce(0, +)
        for (reason, count) in summarised { stats.quarantined[reason, default: 0] += count }
        let reasons = byCount.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        quarantine(
            message, byCount[0].key,
            "\(total) more rejected readings in this message (\(reasons)); only the first \(settings.readingRecordsPerMessage) are written one by one",
            device: device, seq: seq, summarisedReadings: total)
    }

    /// A metric name for a quarantine record: cut to `settings.maxNameBytes` (at a character
    /// boundary, marked with "…") when longer.
    func recordedName(_ token: StringToken, in payload: UnsafeRawBufferPointer) -> String {
        let name = JSONScanner(payload).string(from: token)
        guard name.utf8.count > settings.maxNameBytes else { return name }
        var cut = ""
        for character in name.unicodeScalars {
            guard cut.utf8.count + String(character).utf8.count <= settings.maxNameBytes else { break }
            cut.unicodeScalars.append(character)
        }
        return cut + "…"
    }
}
