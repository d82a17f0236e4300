/// Why bytes (or text) are not a `QuantileSketch` encoding. Offsets count bytes from the start
/// of the encoding; decoding stops at the first problem.
public enum QuantileSketchDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first byte names a version this build cannot read.
    case unsupportedVersion(UInt8)
    /// The encoding ends inside a field that starts before `offset`.
    case truncated(offset: Int)
    /// A varint longer than 10 bytes or above 2⁶⁴ − 1.
    case invalidVarint(offset: Int)
    /// `field` at `offset` is outside what the format allows (α, bin limit, flags, a key,
    /// a run's length or gap, or the minimum and maximum).
    case outOfRange(field: String, offset: Int)
    /// A run of bins that starts or ends with an empty bin, at `offset`.
    case emptyEdgeBin(offset: Int)
    /// The bins of one sign span more keys than the bin limit allows; the run at `offset`
    /// would exceed it.
    case spanExceedsBinLimit(offset: Int)
    /// The bins of one sign are marked collapsed but do not span the bin limit, which a
    /// collapsed sketch always does.
    case inconsistentCollapse(offset: Int)
    /// Bytes after the end of the encoding, at `offset`.
    case trailingBytes(offset: Int)
    /// The text form is not padded standard base64.
    case invalidText

    /// The message for logs and the command line.
    public var description: String {
        switch self {
        case .unsupportedVersion(let version): "sketch encoding version \(version) is not supported"
        case .truncated(let offset): "sketch encoding truncated at byte \(offset)"
        case .invalidVarint(let offset): "invalid varint at byte \(offset) of the sketch encoding"
        case .outOfRange(let field, let offset): "sketch encoding: \(field) at byte \(offset) is out of range"
        case .emptyEdgeBin(let offset): "sketch encoding: run of bins at byte \(offset) starts or ends empty"
        case .spanExceedsBinLimit(let offset): "sketch encoding: bins at byte \(offset) exceed the bin limit"
        case .inconsistentCollapse(let offset):
            "sketch encoding: bins before byte \(offset) are marked collapsed but do not span the bin limit"
        case .trailingBytes(let offset): "sketch encoding: unexpected bytes from byte \(offset)"
        case .invalidText: "sketch text is not padded standard base64"
        }
    }
}
