/// Why bytes are not a Sparkplug B payload this module accepts.
public enum SparkplugPayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload is larger than the decoder's limit; it was not parsed.
    case tooLarge(bytes: Int, limit: Int)
    /// The payload holds more metrics than the decoder's limit.
    case tooManyMetrics(count: Int, limit: Int)
    /// The bytes end inside a field.
    case truncated
    /// A string field is not valid UTF-8.
    case invalidUTF8
    /// Messages are nested deeper than the decoder's limit (templates and property sets nest).
    case nestedTooDeep(limit: Int)
    /// The bytes are not protobuf, or not this schema's (a field of the wrong wire type, a bad length, a zero tag…).
    case malformed

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "the payload has \(bytes) bytes, more than the limit of \(limit)"
        case .tooManyMetrics(let count, let limit):
            "the payload has \(count) metrics, more than the limit of \(limit)"
        case .truncated:
            "the payload ends inside a field (truncated)"
        case .invalidUTF8:
            "a string in the payload is not valid UTF-8"
        case .nestedTooDeep(let limit):
            "the payload nests messages deeper than \(limit) levels"
        case .malformed:
            "the payload is not a Sparkplug B protobuf payload (malformed protobuf)"
        }
    }
}
