/// Why input was rejected; the raw value is the `reason` field of a quarantine record.
///
/// Message-level reasons produce one quarantine record per message; reading-level reasons
/// (`isPerReading`) one per rejected reading, while the message's other readings go on.
public enum QuarantineReason: String, Sendable, CaseIterable, Comparable {
    case malformedPayload = "malformed_payload"
    case payloadTooLarge = "payload_too_large"
    case tooManyReadings = "too_many_readings"
    case topicMismatch = "topic_mismatch"
    case topicTooLong = "topic_too_long"
    case duplicateSeq = "duplicate_seq"
    /// A message without `seq` whose readings all carry `ts`, with the topic and payload bytes of
    /// a recent message: the same readings again (see `RedeliveryWindow`).
    case duplicatePayload = "duplicate_payload"
    case unknownMetric = "unknown_metric"
    case wrongType = "wrong_type"
    case outOfRange = "out_of_range"
    case futureTimestamp = "future_timestamp"
    case tooLate = "too_late"
    /// A new series (or device) beyond `ingest.max_series`: one record per reading, or one per
    /// message when the device itself is new.
    case cardinalityLimit = "cardinality_limit"
    /// A metric named again in the same JSON object: the first is the reading, every repeat is
    /// quarantined (one record per repeat).
    case duplicateMetric = "duplicate_metric"
    /// A park, site, device, metric or state name longer than `ingest.max_name_bytes`.
    case nameTooLong = "name_too_long"
    /// Processes died twice while ingesting this message (`PoisonGuard`): set aside unread.
    case poisonMessage = "poison_message"

    /// True for reasons that reject one reading rather than the whole message.
    public var isPerReading: Bool {
        switch self {
        case .unknownMetric, .wrongType, .outOfRange, .futureTimestamp, .tooLate, .duplicateMetric: return true
        case .malformedPayload, .payloadTooLarge, .tooManyReadings, .topicMismatch, .topicTooLong, .duplicateSeq,
            .duplicatePayload, .cardinalityLimit, .nameTooLong, .poisonMessage:
            return false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
