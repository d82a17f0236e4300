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
