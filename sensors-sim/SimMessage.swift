import SparkplugB

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

    /// What a Sparkplug B message is besides its topic and payload.
    struct Sparkplug: Sendable, Equatable {
        /// NBIRTH, DBIRTH, DDATA, DDEATH or NDEATH (the type of its topic; a malformed payload's too).
        var type: SparkplugMessageType
        /// Index of its edge node among the run's edge nodes (`SparkplugEdge.nodes`), which picks its connection.
        var edgeNode: Int
        /// The edge node's `seq` it carries, 0–255; `nil` for an NDEATH and a malformed payload.
        var seq: UInt64?
        /// The session's `bdSeq`, carried by an NBIRTH and an NDEATH; `nil` otherwise.
        var bdSeq: UInt64?
    }

    /// Position in publish order, from 0 (births and deaths included).
    var index: Int
    /// Index of the publishing device in the fleet.
    var deviceIndex: Int
    /// MQTT topic.
    var topic: String
    /// Park segment of the topic.
    var park: String
    /// Site segment of the topic; with `--format sparkplug`, the edge node id (the site and `--edge-node-suffix`).
    var site: String
    /// Device segment of the topic; for a Sparkplug NBIRTH or NDEATH, whose topic names none, the edge node id
    /// (the gateway's device key of an edge node's own metrics).
    var device: String
    /// The per-device `seq` of a JSON payload; `nil` when it carries none (always with line protocol, and with
    /// Sparkplug B, whose `seq` counts per edge node and is in `sparkplug`).
    var seq: UInt64?
    /// Payload shape; `nil` for a malformed payload and a Sparkplug birth or death.
    var shape: PayloadShape?
    /// The fault applied to this message, message- or reading-level; `nil` for a clean message.
    var fault: Fault?
    /// The exact payload bytes.
    var payload: [UInt8]
    /// Readings in payload order; empty for a malformed payload or a duplicate.
    var readings: [Reading]
    /// The Sparkplug B message type, `seq` and `bdSeq` with `--format sparkplug`; `nil` otherwise.
    var sparkplug: Sparkplug? = nil

    /// The message-level fault the ledger reports (`malformed_payload`, `duplicate_seq` or
    /// `duplicate_payload`).
    var messageFault: Fault? {
        guard let fault, fault.isMessageLevel else { return nil }
        return fault
    }
}
