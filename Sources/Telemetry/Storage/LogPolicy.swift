/// How a segmented JSON Lines log rotates, syncs and what of it is kept.
public struct LogPolicy: Sendable, Equatable {
    /// Rotate the current segment once it reaches this size (default 64 MiB).
    public var maxSegmentBytes: Int64
    /// Rotate the current segment once it is this old, in milliseconds (default 1 h).
    public var maxSegmentAgeMillis: Int64
    public var fsync: FsyncPolicy
    /// Delete the oldest rotated segments while all segments add up to more than this
    /// (`nil`: no size limit).
    public var retainBytes: Int64?
    /// Delete rotated segments whose lines are all older than this, in milliseconds (`nil`: no
    /// age limit).
    public var retainAgeMillis: Int64?
    /// Per tier, by window length in milliseconds: how long, in milliseconds after its window
    /// ended, a rollup line of that tier stays in the log's rotated segments, which are
    /// rewritten without expired lines (`LogSegments.applyTierRetention`). Tiers not listed,
    /// and lines that are not rollup records, stay. Empty (the default, and always for the
    /// quarantine log): no line is ever removed from a segment.
    public var retainTierMillis: [Int64: Int64]

    public init(
        maxSegmentBytes: Int64 = 64 << 20,
        maxSegmentAgeMillis: Int64 = 3_600_000,
        fsync: FsyncPolicy = .interval(milliseconds: 1_000),
        retainBytes: Int64? = nil,
        retainAgeMillis: Int64? = nil,
        retainTierMillis: [Int64: Int64] = [:]
    ) {
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAgeMillis = maxSegmentAgeMillis
        self.fsync = fsync
        self.retainBytes = retainBytes
        self.retainAgeMillis = retainAgeMillis
        self.retainTierMillis = retainTierMillis
    }
}
