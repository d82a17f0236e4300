/// Where a segmented log ended at some instant: enough to cut it back to exactly that content
/// after a crash (see `LogSegments.restore(to:)`).
public struct LogPosition: Sendable, Equatable {
    /// The sequence the next rotated segment would get: segments numbered from here on were
    /// rotated after this instant.
    public var nextRotationSequence: Int
    /// Size of the current segment `B.jsonl` at this instant.
    public var currentBytes: Int64

    public init(nextRotationSequence: Int, currentBytes: Int64) {
        self.nextRotationSequence = nextRotationSequence
        self.currentBytes = currentBytes
    }
}
