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
    /// The device, when the topic named one.
    public var device: DeviceKey?
    /// The metric, for reading-level reasons.
    public var metric: String?
    /// The message's sequence number, when it had one.
    public var seq: UInt64?

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
            && lhs.payloadOmitted == rhs.payloadOmitted && lhs.device == rhs.device && lhs.seq == rhs.seq
            && Name.bytesEqual(lhs.topic, rhs.topic) && Name.bytesEqual(lhs.detail, rhs.detail)
            && Name.bytesEqual(lhs.payloadExcerpt, rhs.payloadExcerpt)
            && lhs.metric.map { Name($0) } == rhs.metric.map { Name($0) }
    }

    /// Writes the quarantine record documented in README.md ("Quarantine records") into `line`.
    public func write(to line: inout JSONLineBuilder) {
        line.reset()
        line.openObject()
        line.key("received"); line.timestamp(millis: receivedAtMillis)
        line.key("topic"); line.string(topic)
        line.key("reason"); line.string(reason.rawValue)
        line.key("detail"); line.string(detail)
        line.key("payload"); line.string(payloadExcerpt)
        line.key("payload_bytes"); line.integer(payloadBytes)
        if payloadOmitted {
            line.key("payload_omitted"); line.bool(true)
        }
        if let device {
            line.key("park"); line.string(device.park)
            line.key("site"); line.string(device.site)
            line.key("device"); line.string(device.device)
        }
        if let metric {
            line.key("metric"); line.string(metric)
        }
        if let seq {
            line.key("seq"); line.integer(seq)
        }
        line.closeObject()
    }
}
