// Tier retention: removing from a rollup log's rotated segments the lines of tiers whose
// retention has passed (`rollup.retention`), so that the log keeps what the query index keeps.
// Whole-segment retention (`LogSegments+Retention.swift`) runs before it.
//
// Which segments: rotated ones only, never the current file; never one that a kept checkpoint
// may need (numbered from `keepingFrom` on: recovery cuts the segment that was current at a
// checkpoint back to the size it had then, so its bytes must not move); never one rotated less
// than an hour ago. A segment left with no line is deleted, except the newest rotated one, which
// is kept empty (the current file is numbered one past it; see `LogCursor`).
//
// Which lines: the rollup lines of tier T (the window's length, as the query index tells tiers)
// in a segment, once every one of them ended more than T's retention ago; all of them go in one
// rewrite, so a segment is rewritten at most once per tier. Lines that are not rollup records in
// the documented shape, and a torn last line, stay. The index deletes a window once it *started*
// more than the retention ago, so every line removed here is one the index has removed too (or
// removes at its next pass), and `gateway reindex` from what remains builds the same index.
//
// Readers: `LogFollower` and `LogReader` read a rotated segment by opening its name and reading
// it whole, so they get the old file or the new one, each valid. The hazard is a reader holding a
// byte offset into a segment from before its rewrite: the query index keeps one into the segment
// that was current when it last read. A segment is rewritten only once the lines it loses ended
// more than their retention ago and it was rotated an hour ago or more, which a running index
// has long read past; an index that was stopped meanwhile finds at its next start that the log no
// longer holds its last line where it was (checksum) and indexes that segment again from its
// start. Only an index that keeps running but makes no progress for that long and then resumes
// mid-segment would read from a shifted offset (missing or misreading lines until
// `gateway reindex`).
//
// Cost: deciding needs no read (the segment's rotation time, then `TierRetentionRecord`), so a
// segment is read once per process to learn it, then only when a tier in it expires. One call
// reads up to 16 MiB (at least one segment when one is due): it runs after each checkpoint on the
// pipeline thread, whose write-ahead ring absorbs the pause.

extension LogSegments {
    /// What `applyTierRetention` removed.
    public struct TierRetentionOutcome: Sendable, Equatable {
        /// Segments rewritten without their expired lines.
        public var segmentsRewritten = 0
        /// Segments deleted because no line was left in them.
        public var segmentsRemoved = 0
        /// Expired lines removed.
        public var linesRemoved = 0
        /// Bytes those lines took, newlines included.
        public var bytesRemoved: Int64 = 0

        public init(segmentsRewritten: Int = 0, segmentsRemoved: Int = 0, linesRemoved: Int = 0, bytesRemoved: Int64 = 0) {
            self.segmentsRewritten = segmentsRewritten
            self.segmentsRemoved = segmentsRemoved
            self.linesRemoved = linesRemoved
            self.bytesRemoved = bytesRemoved
        }
    }

    /// A rotated segment is rewritten only once it was rotated at least this long ago (1 h),
    /// whatever the retention: readers have long read past it by then.
    public static let tierRewriteMinimumAgeMillis: Int64 = 3_600_000

    /// Segment bytes one `applyTierRetention` call reads at most (it reads at least one
    /// segment when one is due), to bound the pause of the thread running it.
    static let tierRetentionPassBytes: Int64 = 16 << 20

    /// Removes from each rotated segment numbered below `keepingFrom` the rollup lines of every
    /// tier whose lines there all ended more than its `keepMillis` (tier length → milliseconds)
    /// before `nowMillis`, as the top of this file describes, oldest segment first. `record`
    /// says which segments may hold such a tier and learns what each read finds; pass the same
    /// one every time for this log. Every other line stays byte for byte and in order.
    /// O(segments) plus the bytes read, at most about 16 MiB per call.
    public func applyTierRetention(
        keepMillis: [Int64: Int64], record: inout TierRetentionRecord, keepingFrom sequence: Int, nowMillis: Int64
    ) throws(LogError) -> TierRetentionOutcome {
        var outcome = TierRetentionOutcome()
        var cutoffs: [Int64: Int64] = [:]
        for (tier, millis) in keepMillis {
            let (cutoff, overflow) = nowMillis.subtractingReportingOverflow(millis)
            if !overflow { cutoffs[tier] = cutoff }
        }
        guard !cutoffs.isEmpty else { return outcome }
        let rotated = try rotatedSegments()
        record.forgetAll(except: Set(rotated.compactMap(\.sequence)))
        let newestRotated = rotated.last?.sequence ?? 0
        let (oldEnough, overflow) = nowMillis.subtractingReportingOverflow(Self.tierRewriteMinimumAgeMillis)
        guard !overflow else { return outcome }
        var bytesRead: Int64 = 0
        for segment in rotated {
            guard let number = segment.sequence, number < sequence, bytesRead < Self.tierRetentionPassBytes else { break }
            guard let rotatedAt = segment.rotatedAtMillis, rotatedAt <= oldEnough,
                record.mayHoldExpiredTier(segment: number, rotatedAtMillis: rotatedAt, cutoffs: cutoffs)
            else { continue }
            guard let scan = try scan(segment.path, cutoffs: cutoffs) else { continue }
            bytesRead += scan.bytes
            // Every tier in `scan.tiers` has a cutoff.
            let expired = scan.tiers.filter { tier, found in found.newestEnd < cutoffs[tier, default: .min] }
            let kept = scan.tiers.filter { expired[$0.key] == nil }.mapValues(\.newestEnd)
            guard !expired.isEmpty else {
                record.remember(segment: number, newestEnds: kept)
                continue
            }
            let bytesExpired = expired.values.reduce(0) { $0 + $1.bytes }
            if bytesExpired == scan.bytes && number < newestRotated {
                try removeSegment(at: segment.path)
                outcome.segmentsRemoved += 1
            } else {
                try rewriteSegment(at: segment.path) { line, hasNewline in
                    let window = Self.window(of: line, hasNewline: hasNewline, cutoffs: cutoffs)
                    return window.map { expired[$0.lengthMillis] == nil } ?? true
                }
                bytesRead += scan.bytes - bytesExpired
                outcome.segmentsRewritten += 1
                record.remember(segment: number, newestEnds: kept)
            }
            outcome.linesRemoved += expired.values.reduce(0) { $0 + $1.lines }
            outcome.bytesRemoved += bytesExpired
        }
        return outcome
    }

    /// What reading one segment found.
    private struct TierScan {
        /// One tier's lines in the segment.
        struct Found {
            /// The newest window end among them.
            var newestEnd: Int64 = .min
            /// How many, and their bytes with newlines.
            var lines = 0
            var bytes: Int64 = 0
        }

        /// The segment's size.
        var bytes: Int64 = 0
        /// Tier length → its lines, for the tiers with a cutoff.
        var tiers: [Int64: Found] = [:]
    }

    /// Reads the segment at `path` line by line; nil when it no longer exists.
    private func scan(_ path: String, cutoffs: [Int64: Int64]) throws(LogError) -> TierScan? {
        var scan = TierScan()
        let found = try forEachLine(ofFileAt: path) { line, hasNewline in
            let bytes = Int64(line.count) + (hasNewline ? 1 : 0)
            scan.bytes += bytes
            guard let window = Self.window(of: line, hasNewline: hasNewline, cutoffs: cutoffs) else { return }
            var tier = scan.tiers[window.lengthMillis] ?? TierScan.Found()
            tier.newestEnd = max(tier.newestEnd, window.endMillis)
            tier.lines += 1
            tier.bytes += bytes
            scan.tiers[window.lengthMillis] = tier
        }
        return found ? scan : nil
    }

    /// The window of `line` when it is a complete rollup line of a tier with a cutoff; nil for
    /// every line that retention keeps whatever its age.
    private static func window(
        of line: ArraySlice<UInt8>, hasNewline: Bool, cutoffs: [Int64: Int64]
    ) -> RollupLineWindow? {
        guard hasNewline, let window = RollupLineWindow(line: line), cutoffs[window.lengthMillis] != nil else { return nil }
        return window
    }
}
