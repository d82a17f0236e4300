/// One rejected message or reading, as written to the quarantine log.
public struct QuarantineRecord: Sendable, Equatable {
    public var receivedAtMillis: Int64
    public var topic: String
    public var reason: QuarantineReason
    /// What exactly was wrong, for a person: "temperature_c = 900 outside [-40, 150]".
    public var detail: String
    /// The start of the payload (at most the configured excerpt size), invalid UTF-8 replaced.
    public var payloadExcerpt: String
    /// The payload's full size in bytes.
    public var payloadBytes: Int
    /// True when the excerpt was left out to respect the excerpt rate limit.
    public var payloadOmitted = false
    /// True when `payloadExcerpt` is the excerpt's bytes in base64: a binary payload (Sparkplug
    /// B's protobuf), which as text would be lost to replacement characters.
    public var payloadIsBase64 = false
    /// The device, when the topic named one.
    public var device: DeviceKey?
    /// The metric, for reading-level reasons.
    public var metric: String?
    /// The message's sequence number, when it had one.
    public var seq: UInt64?
    /// For a record that stands for several rejected readings of one message (beyond
    /// `PipelineSettings.readingRecordsPerMessage`): how many.
    public var readings: Int?

    public init(
        receivedAtMillis: Int64, topic: String, reason: QuarantineReason, detail: String,
        payloadExcerpt: String, payloadBytes: Int, device: DeviceKey? = nil, metric: String? = nil, seq: UInt64? = nil
    ) {
        self.receivedAtMillis = receivedAtMillis
        self.topic = topic
        self.reason = reason
        self.detail = detail
        self.payloadExcerpt = payloadExcerpt
        self.payloadBytes = payloadBytes
        self.device = device
        self.metric = metric
        self.seq = seq
    }

    /// True when every field is equal, texts (topic, detail, excerpt, metric) by their bytes as
    /// they are written, and the device as `DeviceKey` compares (bytes). Lists every stored
    /// property: a new one must be added here.
    public static func == (lhs: QuarantineRecord, rhs: QuarantineRecord) -> Bool {
        lhs.receivedAtMillis == rhs.receivedAtMillis && lhs.reason == rhs.reason && lhs.payloadBytes == rhs.payloadBytes
            && lhs.payloadOmitted == rhs.payloadOmitted && lhs.payloadIsBase64 == rhs.payloadIsBase64 && lhs.device == rhs.device
            && lhs.seq == rhs.seq
            && lhs.readings == rhs.readings
            && Name.bytesEqual(lhs.topic, rhs.topic) && Name.bytesEqual(lhs.detail, rhs.detail)
            && Name.bytesEqual(lhs.payloadExcerpt, rhs.payloadExcerpt)
            && lhs.metric.map { Name($0) } == rhs.metric.map { Name($0) }
    }

    /// Writes the quarantine record documented in docs/formats.md ("Quarantine record") into `line`,
    /// in at most `maxBytes` bytes when that is at least 1 KiB: if the whole record is longer,
    /// every text field is cut to the same length (halved until the line fits, at a character
    /// boundary, ending in "…") and the line says `"cut":true`.
    public func write(to line: inout JSONLineBuilder, maxBytes: Int = .max) {
        write(to: &line, textLimit: nil)
        var limit = maxBytes / 4
        while line.bytes.count > maxBytes && limit >= 8 {
            write(to: &line, textLimit: limit)
            limit /= 2
        }
    }

    private func write(to line: inout JSONLineBuilder, textLimit: Int?) {
        func text(_ value: String) -> String {
            guard let textLimit, value.utf8.count > textLimit else { return value }
            var cut = ""
            for scalar in value.unicodeScalars {
                guard cut.utf8.count + UTF8.width(scalar) <= textLimit else { break }
                cut.unicodeScalars.append(scalar)
            }
            return cut + "…"
        }
        line.reset()
        line.openObject()
        line.key("received"); line.timestamp(millis: receivedAtMillis)
        line.key("topic"); line.string(text(topic))
        line.key("reason"); line.string(reason.rawValue)
        line.key("detail"); line.string(text(detail))
        line.key("payload"); line.string(text(payloadExcerpt))
        line.key("payload_bytes"); line.integer(payloadBytes)
        if payloadIsBase64 {
            line.key("payload_encoding"); line.string("base64")
        }
        if payloadOmitted {
            line.key("payload_omitted"); line.bool(true)
        }
        if let device {
            line.key("park"); line.string(text(device.park))
            line.key("site"); line.string(text(device.site))
            line.key("device"); line.string(text(device.device))
        }
        if let metric {
            line.key("metric"); line.string(text(metric))
        }
        if let seq {
            line.key("seq"); line.integer(seq)
        }
        if let readings {
            line.key("readings"); line.integer(readings)
        }
        if textLimit != nil {
            line.key("cut"); line.bool(true)
        }
        line.closeObject()
    }
}
