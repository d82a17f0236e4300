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
    /// Sparkplug B DATA, DBIRTH or DDEATH from an edge node (or DATA from a device) with no birth
    /// in force: its metrics cannot be read. A rebirth is requested.
    case sparkplugNotBorn = "sparkplug_not_born"
    /// A Sparkplug B message whose `seq` is ahead of the next one: messages were lost before it.
    /// A rebirth is requested, and the sequence goes on from it.
    case sparkplugSeqGap = "sparkplug_seq_gap"
    /// A Sparkplug B message whose `seq` is behind the latest and was not received before.
    case sparkplugOutOfOrder = "sparkplug_out_of_order"
    /// An NDEATH whose `bdSeq` is not the node's NBIRTH's: an earlier session's death, ignored.
    case sparkplugStaleDeath = "sparkplug_stale_death"
    /// A Sparkplug B DATA metric whose alias or name no birth of its device defined (a rebirth is
    /// requested).
    case sparkplugUnknownMetric = "sparkplug_unknown_metric"
    /// A Sparkplug B metric whose datatype is no reading (DateTime, Bytes, File, DataSet,
    /// Template, arrays…) or whose value field does not fit its datatype.
    case sparkplugUnsupportedType = "sparkplug_unsupported_type"

    /// True for reasons that reject one reading rather than the whole message.
    public var isPerReading: Bool {
        switch self {
        case .unknownMetric, .wrongType, .outOfRange, .futureTimestamp, .tooLate, .duplicateMetric, .sparkplugUnknownMetric,
            .sparkplugUnsupportedType:
            return true
        case .malformedPayload, .payloadTooLarge, .tooManyReadings, .topicMismatch, .topicTooLong, .duplicateSeq,
            .duplicatePayload, .cardinalityLimit, .nameTooLong, .poisonMessage, .sparkplugNotBorn, .sparkplugSeqGap,
            .sparkplugOutOfOrder, .sparkplugStaleDeath:
            return false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
