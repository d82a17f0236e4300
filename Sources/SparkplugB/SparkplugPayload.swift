/// A decoded Sparkplug B payload: the parts of the specification's `Payload` message a host needs.
public struct SparkplugPayload: Sendable, Equatable {
    /// Publish time, ms since the Unix epoch (UTC).
    public var timestamp: UInt64?
    /// The sequence number (0–255); absent in NDEATH, NCMD and DCMD.
    public var seq: UInt64?
    /// The metrics, in payload order (one metric may appear several times, with different timestamps).
    public var metrics: [SparkplugMetric]

    /// A payload.
    public init(timestamp: UInt64? = nil, seq: UInt64? = nil, metrics: [SparkplugMetric] = []) {
        self.timestamp = timestamp
        self.seq = seq
        self.metrics = metrics
    }
}
