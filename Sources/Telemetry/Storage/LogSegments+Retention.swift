// Retention: deleting a log's oldest rotated segments by total size and by age. Only segments
// that no kept checkpoint can need are candidates: recovery cuts a log back to a checkpoint's
// position by renaming the segment rotated right after it (see LogSegments+Restore.swift), so a
// segment rotated after the oldest checkpoint kept must stay.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LogSegments {
    /// What `applyRetention` deleted.
    public struct RetentionOutcome: Sendable, Equatable {
        public var segmentsRemoved = 0
        public var bytesRemoved: Int64 = 0

        public init(segmentsRemoved: Int = 0, bytesRemoved: Int64 = 0) {
            self.segmentsRemoved = segmentsRemoved
            self.bytesRemoved = bytesRemoved
        }
    }

    /// Deletes the oldest rotated segments numbered below `keepingFrom`, never the newest one,
    /// while the log's files (rotated and current) add up to more than `maxBytes`, or while a
    /// segment was rotated more than `maxAgeMillis` before `nowMillis` (all its lines are
    /// older). `nil` limits keep everything. O(segments).
    public func applyRetention(
        maxBytes: Int64?, maxAgeMillis: Int64?, keepingFrom sequence: Int, nowMillis: Int64
    ) throws(LogError) -> RetentionOutcome {
        var outcome = RetentionOutcome()
        guard maxBytes != nil || maxAgeMillis != nil else { return outcome }
        var sized: [(segment: Segment, bytes: Int64)] = []
        var total: Int64 = 0
        for segment in try list() {
            guard let status = fileSystem.status(ofPath: segment.path) else { continue }
            sized.append((segment, status.size))
            total += status.size
        }
        // The newest rotated segment always stays: the current file's number is one past it
        // (`LogReader`), and a log reopened after losing it would number segments anew.
        let newestRotated = sized.last { $0.segment.sequence != nil }?.segment.sequence ?? 0
        for (segment, bytes) in sized {
            guard let number = segment.sequence, number < sequence, number < newestRotated else { break }
            let tooBig = maxBytes.map { total > $0 } ?? false
            let tooOld = maxAgeMillis.map { (segment.rotatedAtMillis ?? .max) < nowMillis - $0 } ?? false
            guard tooBig || tooOld else { break }
            guard fileSystem.unlink(segment.path) == 0 || errno == ENOENT else {
                throw LogError.systemCall(path: segment.path, operation: "delete (retention)", errno: errno)
            }
            total -= bytes
            outcome.segmentsRemoved += 1
            outcome.bytesRemoved += bytes
        }
        return outcome
    }
}
