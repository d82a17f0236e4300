/// A byte position in a segmented log that stays valid across rotations: the segment's
/// sequence number and an offset in it. The current file `B.jsonl` is numbered as it will be
/// when rotated, one past the newest rotated segment (retention always keeps that one, see
/// `LogSegments.applyRetention`), so a cursor means the same bytes before and after a rename.
/// Cursors order as the log's bytes do.
public struct LogCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The segment's sequence number (1 for the first segment a log ever had).
    public var segment: Int
    /// Bytes from the start of that segment.
    public var offset: Int64

    public init(segment: Int, offset: Int64) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: LogCursor, rhs: LogCursor) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    public var description: String { "segment \(segment) byte \(offset)" }
}
