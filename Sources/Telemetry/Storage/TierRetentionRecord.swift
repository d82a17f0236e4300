/// What tier retention has learnt of a log's rotated segments, so that it reads a segment again
/// only when a tier in it has newly expired rather than on every pass: per segment number, the
/// newest window end of each tier with a retention among the lines still in it.
///
/// Held in memory by the log's writer (`SegmentedLog`): a process starts with an empty record,
/// and then reads each segment old enough for some tier's retention once to learn it.
public struct TierRetentionRecord: Sendable, Equatable {
    /// Segment number → tier length (ms) → newest window end (ms) among that tier's lines in
    /// it. A tier absent from a known segment has no lines there.
    private var newestEnds: [Int: [Int64: Int64]] = [:]

    /// An empty record: every segment unknown.
    public init() {}

    /// Whether segment `number` may hold a tier whose lines all ended before its cutoff
    /// (`cutoffs`: tier length → window end): for a segment read before, that tier's newest end
    /// is before its cutoff; for one not read yet, some tier's cutoff is after the segment's
    /// rotation time `rotatedAtMillis` (every line in it was written before then, and a window is
    /// written after it ends, unless the device's clock runs ahead).
    func mayHoldExpiredTier(segment number: Int, rotatedAtMillis: Int64, cutoffs: [Int64: Int64]) -> Bool {
        guard let known = newestEnds[number] else {
            return cutoffs.values.contains { rotatedAtMillis < $0 }
        }
        return known.contains { tier, newestEnd in cutoffs[tier].map { newestEnd < $0 } ?? false }
    }

    /// Records what a read of segment `number` found: the newest window end of each tier with a
    /// retention among the lines left in it.
    mutating func remember(segment number: Int, newestEnds ends: [Int64: Int64]) {
        newestEnds[number] = ends
    }

    /// Forgets every segment not in `present` (deleted since).
    mutating func forgetAll(except present: Set<Int>) {
        newestEnds = newestEnds.filter { present.contains($0.key) }
    }
}
