#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Follows a segmented JSON Lines log like `tail -F D/B.jsonl`, for `gateway tail`: returns
/// complete lines as they appear, across rotations, truncation and brief absence of the file.
///
/// Rotation (see `LogSegments` for the layout) is noticed when `D/B.jsonl` names a different
/// file than the one being read: the old descriptor is read to its end first, then any
/// segments rotated in between are read from their files (so even several rotations between
/// two polls lose nothing), then the new `B.jsonl` from its start. Not thread-safe; poll from
/// one thread.
public final class LogFollower {
    /// Where following begins.
    public enum Start: Sendable, Equatable {
        /// At the current end of the log (like `tail -f`), first returning its last
        /// `backlogLines` complete lines (0 = none), reaching into rotated segments if the
        /// current one has fewer.
        case end(backlogLines: Int)
        /// At the start of the oldest segment: every line of the log, then what follows.
        case oldestSegment
    }

    /// The log being followed.
    public let segments: LogSegments
    /// Rotations (or replacements) of `B.jsonl` followed so far.
    public private(set) var rotationsFollowed = 0
    /// Times `B.jsonl` was found shorter than what was already returned, so reading restarted at 0.
    public private(set) var truncationsSeen = 0
    /// Bytes of unfinished lines dropped: a segment that was rotated, replaced or cut back
    /// (torn-tail repair) while ending without a newline.
    public private(set) var discardedPartialBytes = 0

    private var current: LogSegments.OpenSegment?
    /// Identity of the last file followed once it was closed: read to its end already, so not
    /// to be read again under its rotated name.
    private var previousIdentity: LogSegments.FileIdentity?
    /// Highest rotated sequence already read, skipped as history, or listed while `current`
    /// was open: rotated segments above it appeared since and are read when catching up.
    private var knownSequence = 0
    /// Next byte of `current` to read.
    private var offset: Int64 = 0
    /// Bytes read from `current` after its last newline: a line still being written.
    private var partial: [UInt8] = []
    /// Lines and whole rotated segments due before anything read from `current`.
    private var queuedLines: [String] = []
    private var queuedSegments: [String] = []

    /// Follows `directory/baseName.jsonl` from its current end, after first returning its last
    /// `backlogLines` complete lines (0 = none). The file need not exist yet.
    public convenience init(directory: String, baseName: String, backlogLines: Int) throws(LogError) {
        try self.init(directory: directory, baseName: baseName, start: .end(backlogLines: backlogLines))
    }

    /// Follows `directory/baseName.jsonl` on `fileSystem` from `start`. The file need not exist yet.
    public init(
        directory: String, baseName: String, start: Start, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(LogError) {
        segments = try LogSegments(directory: directory, baseName: baseName, fileSystem: fileSystem)
        let snapshot = try segments.openSnapshot()
        current = snapshot.current
        knownSequence = snapshot.rotated.last?.sequence ?? 0
        switch start {
        case .oldestSegment:
            queuedSegments = snapshot.rotated.map(\.path)
        case .end(let backlogLines):
            var wanted = max(0, backlogLines)
            if let current = snapshot.current {
                let size = try LogSegments.size(
                    ofDescriptor: current.descriptor, path: segments.currentPath, fileSystem: fileSystem)
                let tail = try Self.lastCompleteLines(
                    descriptor: current.descriptor, path: segments.currentPath, end: size, count: wanted, fileSystem: fileSystem)
                queuedLines = tail.lines
                offset = tail.endOfLastLine
                wanted -= tail.lines.count
            }
            for segment in snapshot.rotated.reversed() where wanted > 0 {
                let lines = try Self.lastCompleteLines(ofFileAt: segment.path, count: wanted, fileSystem: fileSystem)
                queuedLines.insert(contentsOf: lines, at: 0)
                wanted -= lines.count
            }
        }
    }

    deinit {
        if let current { _ = fileSystem.close(current.descriptor) }
    }

    /// Where the log's files are read (`segments.fileSystem`).
    private var fileSystem: any FileSystem { segments.fileSystem }

    /// Non-blocking: the complete lines (without newlines) that appeared since the last call,
    /// possibly none. Follows rotation (finishing the old file first), waits out the file being
    /// briefly absent, restarts from byte 0 when the file was truncated, and holds back a partial
    /// last line until its newline arrives. A truncation followed by regrowth past the read
    /// position between two polls cannot be told from appending (as with `tail -F`).
    public func poll() throws(LogError) -> [String] {
        var lines = queuedLines
        queuedLines = []
        do throws(LogError) {
            try follow(into: &lines)
        } catch {
            // Every step commits its lines with its state, so on a retry they come out once.
            queuedLines = lines
            throw error
        }
        return lines
    }

    /// Reads queued segments, then `current` to its end, following rotations as they are seen.
    private func follow(into lines: inout [String]) throws(LogError) {
        while let path = queuedSegments.first {
            lines += try Self.completeLines(ofFileAt: path, fileSystem: fileSystem)
            queuedSegments.removeFirst()
        }
        if current == nil {
            guard try adoptCurrentFile(into: &lines) else { return }
        }
        while let followed = current {
            try readAvailable(into: &lines)
            guard let onDisk = try LogSegments.identity(ofPath: segments.currentPath, fileSystem: fileSystem) else {
                return  // renamed away, the new one not created yet: keep the old descriptor
            }
            if onDisk == followed.identity { return }
            // Rotated or replaced: whatever was appended before the rename is still readable here.
            try readAvailable(into: &lines)
            discardedPartialBytes += partial.count
            partial = []
            _ = fileSystem.close(followed.descriptor)
            current = nil
            previousIdentity = followed.identity
            rotationsFollowed += 1
            guard try adoptCurrentFile(into: &lines) else { return }
        }
    }

    /// Opens `B.jsonl` to follow from its start, first reading the segments rotated since the
    /// last listing (two rotations between polls, or rotations before the file was first seen)
    /// except the file just finished. Returns false if `B.jsonl` does not exist right now.
    private func adoptCurrentFile(into lines: inout [String]) throws(LogError) -> Bool {
        let snapshot = try segments.openSnapshot()
        guard let opened = snapshot.current else { return false }
        var missed: [String] = []
        do throws(LogError) {
            let highest = snapshot.rotated.last?.sequence ?? 0
            // Every rotated segment was removed and the writer began again at 1.
            let known = highest < knownSequence ? 0 : knownSequence
            for segment in snapshot.rotated where (segment.sequence ?? 0) > known {
                if try LogSegments.identity(ofPath: segment.path, fileSystem: fileSystem) != previousIdentity {
                    missed += try Self.completeLines(ofFileAt: segment.path, fileSystem: fileSystem)
                }
            }
            knownSequence = highest
        } catch {
            _ = fileSystem.close(opened.descriptor)
            throw error
        }
        lines += missed
        current = opened
        previousIdentity = nil
        offset = 0
        partial = []
        return true
    }

    /// Reads `current` from `offset` to its end, appending the lines completed to `lines`.
    private func readAvailable(into lines: inout [String]) throws(LogError) {
        guard let followed = current else { return }
        let path = segments.currentPath
        let size = try LogSegments.size(ofDescriptor: followed.descriptor, path: path, fileSystem: fileSystem)
        let endOfReturnedLines = offset - Int64(partial.count)
        if size < endOfReturnedLines {
            truncationsSeen += 1
            discardedPartialBytes += partial.count
            partial = []
            offset = 0
        } else if !partial.isEmpty {
            var intact = size >= offset
            if intact { intact = try unfinishedLineIsUnchanged(since: endOfReturnedLines) }
            if !intact {
                // Only the unfinished line was cut, perhaps already overwritten (a restarted writer
                // repairing a torn tail, then appending): resume after the last line returned.
                discardedPartialBytes += partial.count
                partial = []
                offset = endOfReturnedLines
            }
        }
        let bytes = try LogSegments.readToEnd(descriptor: followed.descriptor, from: offset, path: path, fileSystem: fileSystem)
        guard !bytes.isEmpty else { return }
        offset += Int64(bytes.count)
        partial += bytes
        let split = LogSegments.completeLines(in: partial)
        lines += split.lines
        partial.removeFirst(split.consumed)
    }

    /// Whether the file still holds the held-back `partial` bytes at `start`. O(partial line).
    private func unfinishedLineIsUnchanged(since start: Int64) throws(LogError) -> Bool {
        guard let followed = current else { return false }
        var onDisk = [UInt8](repeating: 0, count: partial.count)
        let count = try LogSegments.read(
            followed.descriptor, into: &onDisk, at: start, path: segments.currentPath,
            fileSystem: fileSystem)
        return count == partial.count && onDisk == partial
    }

    /// The complete lines of the file at `path`; none if it has disappeared meanwhile.
    private static func completeLines(ofFileAt path: String, fileSystem: any FileSystem) throws(LogError) -> [String] {
        guard let bytes = try LogSegments.readFile(atPath: path, fileSystem: fileSystem) else { return [] }
        return LogSegments.completeLines(in: bytes).lines
    }

    /// The last `count` complete lines of the file at `path`; none if it has disappeared.
    private static func lastCompleteLines(
        ofFileAt path: String, count: Int, fileSystem: any FileSystem
    ) throws(LogError) -> [String] {
        let descriptor = fileSystem.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return [] }
            throw LogError.failure("open for reading", path: path, errno: code)
        }
        defer { _ = fileSystem.close(descriptor) }
        let size = try LogSegments.size(ofDescriptor: descriptor, path: path, fileSystem: fileSystem)
        return try lastCompleteLines(descriptor: descriptor, path: path, end: size, count: count, fileSystem: fileSystem).lines
    }

    /// The last `count` complete lines in bytes `0..<end` of `descriptor`, and the offset just
    /// after the last newline there (0 if none). Reads backwards in 64 KiB chunks, so
    /// O(size of those lines) rather than O(file).
    private static func lastCompleteLines(
        descriptor: Int32, path: String, end: Int64, count: Int, fileSystem: any FileSystem
    ) throws(LogError) -> (lines: [String], endOfLastLine: Int64) {
        let chunkSize: Int64 = 64 * 1024
        var chunks: [[UInt8]] = []
        var start = end
        var newlines = 0
        // count lines need count newlines, plus the one before them unless they start the file.
        while start > 0 && newlines <= count {
            let chunkStart = max(0, start - chunkSize)
            var chunk = [UInt8](repeating: 0, count: Int(start - chunkStart))
            let count = try LogSegments.read(descriptor, into: &chunk, at: chunkStart, path: path, fileSystem: fileSystem)
            guard count == chunk.count else {
                throw .systemCall(path: path, operation: "read (file shrank while reading)", errno: EIO)
            }
            newlines += chunk.count(where: { $0 == UInt8(ascii: "\n") })
            chunks.append(chunk)
            start = chunkStart
        }
        let bytes = Array(chunks.reversed().joined())
        let split = LogSegments.completeLines(in: bytes)
        // Unless the bytes begin the file, the first "line" is the tail of an earlier one.
        let complete = start == 0 ? split.lines[...] : split.lines.dropFirst()
        return (Array(complete.suffix(count)), start + Int64(split.consumed))
    }
}
