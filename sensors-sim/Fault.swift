/// A fault the simulator can inject, named by the quarantine reason the gateway is expected to
/// give. At most one fault is applied to a published message.
enum Fault: String, CaseIterable, Sendable {
    /// The payload is not JSON, or not one of the three shapes. Message-level.
    case malformedPayload = "malformed_payload"
    /// One reading's value lies outside its metric's range.
    case outOfRange = "out_of_range"
    /// One extra reading of a metric the catalogue does not have.
    case unknownMetric = "unknown_metric"
    /// One reading's value has the wrong JSON type.
    case wrongType = "wrong_type"
    /// The device's previous message, re-sent byte for byte (same seq). Message-level.
    case duplicateSeq = "duplicate_seq"
    /// The device's previous timestamped message, re-sent byte for byte when messages carry no
    /// seq: the gateway knows it by its topic and bytes. Message-level.
    case duplicatePayload = "duplicate_payload"
    /// Every timestamp 10 minutes in the past.
    case tooLate = "too_late"
    /// Every timestamp 1 hour in the future.
    case futureTimestamp = "future_timestamp"

    /// Whether the gateway rejects the whole message (ledger `fault` at message level, no
    /// readings) rather than some of its readings.
    var isMessageLevel: Bool {
        self == .malformedPayload || self == .duplicateSeq || self == .duplicatePayload
    }

    /// The quarantine reason the gateway gives this fault in a Sparkplug B message: a metric no birth defined is
    /// `sparkplug_unknown_metric`, a value the birth's datatype cannot hold `sparkplug_unsupported_type`; the
    /// others keep their JSON reason.
    var sparkplugReason: String {
        switch self {
        case .unknownMetric: "sparkplug_unknown_metric"
        case .wrongType: "sparkplug_unsupported_type"
        default: rawValue
        }
    }

    /// The command-line option that sets this fault's percentage.
    var optionName: String {
        switch self {
        case .malformedPayload: "--fault-malformed"
        case .outOfRange: "--fault-out-of-range"
        case .unknownMetric: "--fault-unknown-metric"
        case .wrongType: "--fault-wrong-type"
        case .duplicateSeq, .duplicatePayload: "--fault-duplicate"
        case .tooLate: "--fault-late"
        case .futureTimestamp: "--fault-future"
        }
    }

    /// How far a `too_late` message's timestamps are moved back (10 minutes).
    static let lateShiftMilliseconds: Int64 = -600_000
    /// How far a `future_timestamp` message's timestamps are moved forward (1 hour).
    static let futureShiftMilliseconds: Int64 = 3_600_000
}
