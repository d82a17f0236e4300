/// Why a whole message could not be decoded; each maps to one quarantine reason.
public enum PayloadError: Error, Sendable, Equatable {
    /// Not JSON, or JSON of a shape the wire contract does not allow; the detail says where.
    case malformed(String)
    /// More readings than `ingest.max_readings_per_message`.
    case tooManyReadings(limit: Int)

    /// The quarantine reason this error is filed under.
    public var reason: QuarantineReason {
        switch self {
        case .malformed: return .malformedPayload
        case .tooManyReadings: return .tooManyReadings
        }
    }

    /// A sentence for the quarantine record's `detail`.
    public var detail: String {
        switch self {
        case .malformed(let detail): return detail
        case .tooManyReadings(let limit): return "more than \(limit) readings in one message"
        }
    }
}
