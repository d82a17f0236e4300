// Cutting a log back to a recorded `LogPosition` (crash recovery): everything written after
// that instant is removed, so replaying the write-ahead ring from the matching checkpoint
// writes it again exactly once. Runs before any `SegmentedLog` opens the log.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LogSegments {
    /// What `restore(to:)` changed.
    public struct RestoreOutcome: Sendable, Equatable {
        /// Bytes cut from the end of the current segment.
        public var bytesRemoved: Int64 = 0
        /// Segments rotated after the position that were deleted (their lines are rewritten by replay).
        public var segmentsRemoved = 0
        /// Bytes the position says the current segment had but the file lacks (lost by a power
        /// cut under fsync `never` or `interval`): replay cannot bring them back.
        public var bytesMissing: Int64 = 0

        public init() {}
    }

    /// Cuts the log back to `position`: deletes segments rotated after it, makes the segment
    /// that was current then the current one again, and truncates it to its recorded size.
    public func restore(to position: LogPosition) throws(LogError) -> RestoreOutcome {
        var outcome = RestoreOutcome()
        let later = try rotatedSegments().filter { ($0.sequence ?? 0) >= position.nextRotationSequence }
        if let wasCurrent = later.first {
            try remove(currentPath)
            for segment in later.dropFirst() {
                try remove(segment.path)
                outcome.segmentsRemoved += 1
            }
            guard fileSystem.rename(wasCurrent.path, to: currentPath) == 0 else {
                throw LogError.systemCall(path: wasCurrent.path, operation: "rename to \(currentPath)", errno: errno)
            }
        }
        let descriptor = fileSystem.open(currentPath, flags: O_RDWR | O_CLOEXEC, mode: 0)
        if descriptor < 0 {
            guard errno == ENOENT else { throw LogError.systemCall(path: currentPath, operation: "open", errno: errno) }
            outcome.bytesMissing = position.currentBytes
            return outcome
        }
        defer { _ = fileSystem.close(descriptor) }
        guard let info = fileSystem.status(ofDescriptor: descriptor) else {
            throw LogError.systemCall(path: currentPath, operation: "fstat", errno: errno)
        }
        let size = info.size
        if size > position.currentBytes {
            guard fileSystem.ftruncate(descriptor, length: position.currentBytes) == 0 else {
                throw LogError.systemCall(
                    path: currentPath, operation: "truncate to \(position.currentBytes) bytes", errno: errno)
            }
            guard fileSystem.fsync(descriptor) == 0 else {
                throw LogError.systemCall(path: currentPath, operation: "fsync", errno: errno)
            }
            outcome.bytesRemoved = size - position.currentBytes
        } else {
            outcome.bytesMissing = position.currentBytes - size
        }
        if !later.isEmpty {
            _ = fileSystem.syncDirectory(directory)
        }
        return outcome
    }

    private func remove(_ path: String) throws(LogError) {
        guard fileSystem.unlink(path) == 0 || errno == ENOENT else {
            throw LogError.systemCall(path: path, operation: "delete", errno: errno)
        }
    }
}
