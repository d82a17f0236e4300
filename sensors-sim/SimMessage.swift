/// One message exactly as the simulator published it: what the ledger records and what the
/// gateway is expected to make of it.
struct SimMessage: Sendable, Equatable {
    /// One reading of the message, in payload order, with the outcome the gateway should reach.
    struct Reading: Sendable, Equatable {
        /// Metric name as written in the payload.
        var metric: String
        /// Catalogue kind; `nil` for an unknown metric.
        var kind: Metric.Kind?
        /// Timestamp written with the reading; `nil` in the plain shape.
        var ts: Int64?
        /// The value exactly as written in the payload.
        var value: ReadingValue
        /// Expected quarantine reason of this reading; `nil` when it should be accepted.
        var fault: Fault?
    }

    /// Position in publish order, from 0.
    var index: Int
    /// Index of the publishing device in the fleet.
    var deviceIndex: Int
    /// MQTT topic.
    var topic: String
    /// Park segment of the topic.
    var park: String
    /// Site segment of the topic.
    var site: String
    /// Device segment of the topic.
    var device: String
    /// Sequence number carried by the payload; `nil` when it carries none.
    var seq: UInt64?
    /// Payload shape; `nil` for a malformed payload.
    var shape: PayloadShape?
    /// The fault applied to this message, message- or reading-level; `nil` for a clean message.
    var fault: Fault?
    /// The exact payload bytes.
    var payload: [UInt8]
    /// Readings in payload order; empty for a malformed payload or a duplicate.
    var readings: [Reading]

    /// The message-level fault the ledger reports (`malformed_payload`, `duplicate_seq` or
    /// `duplicate_payload`).
    var messageFault: Fault? {
        guard let fault, fault.isMessageLevel else { return nil }
        return fault
    }
}
