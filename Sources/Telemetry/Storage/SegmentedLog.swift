// Plain POSIX descriptors (open/write/fsync/rename/ftruncate, through `FileSystem`) rather than
// FileHandle: every failure must keep unwritten bytes, report the exact call and errno, and tell
// "disk full" apart, and a partial write must never be repeated.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writer of an append-only, segmented JSON Lines log (rollups, quarantine): one record a
/// line, buffered, written with `write(2)`, synced by `FsyncPolicy`, rotated by size and age.
///
/// The files are laid out as documented on `LogSegments`: `D/B.jsonl` is appended to, and on
/// rotation it is flushed, synced (unless the policy is `never`), renamed to
/// `D/B-<UTC rotation time>-<sequence>.jsonl`, a new `D/B.jsonl` is created and the directory
/// synced. Opening repairs a torn last line left by a crash or power loss, and deletes the
/// temporary file of a segment rewrite (tier retention) that a crash interrupted.
///
/// Not thread-safe: used from one thread (the pipeline). Holds an exclusive `flock` on the
/// current segment so a second writer on the same log fails with `LogError.locked`.
/// No data is lost on a write error: bytes that did not reach the file stay buffered for the
/// next flush, and bytes that did are never written again.
public final class SegmentedLog {
    /// Writes bytes to a descriptor: returns the count written (≥ 0) or −errno. Injectable
    /// so tests can force partial writes and failures.
    typealias WriteCall = (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    /// Buffered bytes are written out by the append that makes them reach this size.
    static let bufferLimit = 64 * 1024

    /// The log's files.
    public let segments: LogSegments
    /// Rotation and sync settings.
    public let policy: LogPolicy
    /// Bytes dropped from a torn tail at open (0 when none), so the caller can log it.
    public private(set) var repairedTailBytes = 0
    /// Temporary files of segment rewrites a crash interrupted, deleted at open (0 when none).
    public private(set) var rewriteLeftoversRemoved = 0
    /// Bytes that reached the file system in this session (not counting the buffer), for status.
    public private(set) var bytesWritten: Int64 = 0
    /// `fsync` calls on segment files in this session (not counting directory syncs).
    public private(set) var fsyncCount = 0
    /// Rotations done in this session.
    public private(set) var rotationCount = 0
    /// Size of the current segment on disk, in bytes.
    public private(set) var currentSegmentBytes: Int64 = 0

    /// The current segment, `D/B.jsonl`.
    public var path: String { segments.currentPath }
    /// Where the log's files live (`segments.fileSystem`).
    var fileSystem: any FileSystem { segments.fileSystem }
    /// Bytes appended but not yet written to the file.
    public var bufferedBytes: Int { buffer.count }

    /// Where the log ends on disk now; call right after a successful `flush` (with nothing
    /// buffered) to record a point `LogSegments.restore(to:)` can cut back to.
    public var position: LogPosition {
        LogPosition(nextRotationSequence: nextSequence, currentBytes: currentSegmentBytes)
    }

    private let writeCall: WriteCall
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var isClosed = false
    /// Written since the last fsync of the current segment.
    private var hasUnsyncedBytes = false
    private var lastSyncMillis: Int64
    private var segmentAgeStartMillis: Int64
    private var lastNowMillis: Int64
    private var nextSequence: Int
    /// Rotation time of the newest rotated segment; later names never go below it.
    private var lastRotationMillis: Int64
    /// What tier retention learnt of the rotated segments in this session.
    private var tierRecord = TierRetentionRecord()

    /// Opens or creates `directory/baseName.jsonl` (creating `directory` and its parents),
    /// repairing a torn tail: if the file is non-empty and does not end in "\n", it is cut back
    /// to just after the last "\n" (to empty if there is none). `nowMillis` is the wall clock
    /// (ms since the epoch); segment age is measured from it, i.e. from when this process
    /// opened the segment (or, if it was empty then, from the first flush that writes to it),
    /// not from when an earlier process created it. Every file operation goes to `fileSystem`.
    public convenience init(
        directory: String, baseName: String, policy: LogPolicy, nowMillis: Int64,
        fileSystem: any FileSystem = PosixFileSystem()
    ) throws(LogError) {
        try self.init(
            directory: directory, baseName: baseName, policy: policy, nowMillis: nowMillis,
            fileSystem: fileSystem
        ) { descriptor, bytes in
            let written = fileSystem.write(descriptor, bytes)
            return written >= 0 ? written : -Int(errno)
        }
    }

    /// As the public initializer, with `write(2)` replaced by `writeCall` (tests).
    init(
        directory: String, baseName: String, policy: LogPolicy, nowMillis: Int64,
        fileSystem: any FileSystem = PosixFileSystem(), writeCall: @escaping WriteCall
    ) throws(LogError) {
        segments = try LogSegments(directory: directory, baseName: baseName, fileSystem: fileSystem)
        self.policy = policy
        self.writeCall = writeCall
        lastSyncMillis = nowMillis
        segmentAgeStartMillis = nowMillis
        lastNowMillis = nowMillis
        try Self.makeDirectories(segments.directory, sync: policy.fsync != .never, fileSystem: fileSystem)
        let rotated = try segments.rotatedSegments()
        nextSequence = (rotated.last?.sequence ?? 0) + 1
        lastRotationMillis = rotated.last?.rotatedAtMillis ?? Int64.min
        buffer.reserveCapacity(Self.bufferLimit + 4096)
        try openCurrentSegment(nowMillis: nowMillis)
        do {
            repairedTailBytes = try repairTornTail()
            rewriteLeftoversRemoved = try segments.removeRewriteLeftovers()
        } catch {
            _ = fileSystem.close(descriptor)
            descriptor = -1
            throw error
        }
    }

    deinit {
        // Only releases the descriptor: buffered lines are written by `close()`, whose errors
        // the caller must see.
        if descriptor >= 0 { _ = fileSystem.close(descriptor) }
    }

    /// Appends one complete line: the caller's bytes WITHOUT the trailing newline (the log adds
    /// it). Buffered in memory; once the buffer holds ~64 KiB it is written out. If that write
    /// fails (e.g. `diskFull`) the line is still kept, like every buffered byte, and written by
    /// a later flush: do not append it again. While writes fail `bufferedBytes` grows; apply
    /// back-pressure on it. A line containing a newline is refused (thrown, not kept).
    /// O(line length).
    public func append(_ line: UnsafeRawBufferPointer) throws(LogError) {
        precondition(!isClosed, "append on a closed SegmentedLog")
        if let base = line.baseAddress, let newline = memchr(base, 0x0A, line.count) {
            throw .lineContainsNewline(path: path, byteOffset: base.distance(to: UnsafeRawPointer(newline)))
        }
        buffer.append(contentsOf: line)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.bufferLimit {
            try writeBuffer()
        }
    }

    /// Appends one complete line given as a string (see `append(_:)` for bytes).
    public func append(_ line: String) throws(LogError) {
        var text = line
        let failure = text.withUTF8 { (utf8) -> LogError? in
            do throws(LogError) {
                try append(UnsafeRawBufferPointer(utf8))
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Writes the buffer out (a `write(2)` loop handling partial writes and `EINTR`), then
    /// applies the fsync policy (`always`: fsync now; `interval`: fsync if at least the interval
    /// has passed since the last one; `never`: none), then rotates if the segment has reached
    /// `maxSegmentBytes` or is `maxSegmentAgeMillis` old. Age counts from when this process
    /// opened the segment, or from the first flush writing to it if it was empty; an empty
    /// segment is never rotated. Call after each batch and periodically. On a throw nothing is
    /// lost; call again to retry (this also recreates `B.jsonl` if a rotation could not).
    public func flush(nowMillis: Int64) throws(LogError) {
        precondition(!isClosed, "flush on a closed SegmentedLog")
        lastNowMillis = nowMillis
        if descriptor < 0 { try openCurrentSegment(nowMillis: nowMillis) }
        if currentSegmentBytes == 0 { segmentAgeStartMillis = nowMillis }
        try writeBuffer()
        if hasUnsyncedBytes {
            switch policy.fsync {
            case .always:
                try syncSegment(nowMillis: nowMillis)
            case .interval(let milliseconds):
                if nowMillis - lastSyncMillis >= milliseconds { try syncSegment(nowMillis: nowMillis) }
            case .never:
                break
            }
        }
        let bySize = currentSegmentBytes >= policy.maxSegmentBytes
        let byAge = nowMillis - segmentAgeStartMillis >= policy.maxSegmentAgeMillis
        if currentSegmentBytes > 0 && (bySize || byAge) {
            try rotate(nowMillis: nowMillis)
        }
    }

    /// Writes the buffer out and forces an fsync now, whatever the policy (shutdown).
    public func sync() throws(LogError) {
        precondition(!isClosed, "sync on a closed SegmentedLog")
        try writeBuffer()
        if hasUnsyncedBytes { try syncSegment(nowMillis: lastNowMillis) }
    }

    /// Writes the buffer out, syncs it (unless the policy is `never`) and closes the file.
    /// If it throws, the log stays open with the unwritten lines buffered; call it again to retry.
    public func close() throws(LogError) {
        guard !isClosed else { return }
        try writeBuffer()
        if hasUnsyncedBytes && policy.fsync != .never { try syncSegment(nowMillis: lastNowMillis) }
        if descriptor >= 0 {
            let result = fileSystem.close(descriptor)
            let code = errno
            descriptor = -1
            // On Linux the descriptor is released even when close reports EINTR: never retry.
            if result != 0 && code != EINTR {
                throw LogError.failure("close", path: path, errno: code)
            }
        }
        isClosed = true
    }

    /// Removes expired rollup lines from the rotated segments numbered below `keepingFrom` (the
    /// oldest kept checkpoint's `nextRotationSequence`) under `policy.retainTierMillis`: see
    /// `LogSegments.applyTierRetention`. Remembers what it read, so later calls read a segment
    /// again only when another tier in it expires. Does nothing when the policy lists no tier.
    public func applyTierRetention(
        keepingFrom sequence: Int, nowMillis: Int64
    ) throws(LogError) -> LogSegments.TierRetentionOutcome {
        guard !policy.retainTierMillis.isEmpty else { return LogSegments.TierRetentionOutcome() }
        return try segments.applyTierRetention(
            keepMillis: policy.retainTierMillis, record: &tierRecord, keepingFrom: sequence, nowMillis: nowMillis)
    }

    // MARK: - Writing

    /// Writes every buffered byte, or as many as the file system takes before an error. Bytes
    /// that were written leave the buffer even when a later chunk fails, so a retry never
    /// duplicates them; bytes that were not stay buffered.
    private func writeBuffer() throws(LogError) {
        guard !buffer.isEmpty else { return }
        if descriptor < 0 { try openCurrentSegment(nowMillis: lastNowMillis) }
        var written = 0
        let failure: LogError? = buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = writeCall(descriptor, UnsafeRawBufferPointer(rebasing: bytes[written...]))
                if result > 0 {
                    written += result
                } else if result == 0 {
                    // write(2) to a regular file makes progress or fails; never spin.
                    return .systemCall(path: path, operation: "write (no progress)", errno: EIO)
                } else if result != -Int(EINTR) {
                    return LogError.failure("write", path: path, errno: Int32(-result))
                }
            }
            return nil
        }
        if written == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else {
            buffer.removeFirst(written)
        }
        if written > 0 {
            currentSegmentBytes += Int64(written)
            bytesWritten += Int64(written)
            hasUnsyncedBytes = true
        }
        if let failure { throw failure }
    }

    private func syncSegment(nowMillis: Int64) throws(LogError) {
        try LogError.check("fsync", path: path) { fileSystem.fsync(descriptor) }
        fsyncCount += 1
        hasUnsyncedBytes = false
        lastSyncMillis = nowMillis
    }

    // MARK: - Opening and rotating

    /// Opens (creating if needed) `B.jsonl` for appending, takes the write lock and syncs the
    /// directory so a newly created file survives a power loss.
    private func openCurrentSegment(nowMillis: Int64) throws(LogError) {
        let path = self.path
        let opened = try LogError.check("open for appending", path: path) {
            fileSystem.open(path, flags: O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, mode: 0o644)
        }
        do throws(LogError) {
            if fileSystem.flock(opened, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                throw code == EWOULDBLOCK ? .locked(path: path) : LogError.failure("lock", path: path, errno: code)
            }
            currentSegmentBytes = try LogSegments.size(ofDescriptor: opened, path: path, fileSystem: fileSystem)
            if policy.fsync != .never { try syncDirectory() }
        } catch {
            _ = fileSystem.close(opened)
            throw error
        }
        descriptor = opened
        segmentAgeStartMillis = nowMillis
        hasUnsyncedBytes = false
    }

    /// Cuts the current segment back to just after its last newline; returns the bytes dropped.
    /// Reads backwards in 64 KiB chunks, so O(length of the torn line).
    private func repairTornTail() throws(LogError) -> Int {
        let size = currentSegmentBytes
        guard size > 0 else { return 0 }
        let chunk = 64 * 1024
        var end = size
        var keep: Int64 = 0
        search: while end > 0 {
            let start = max(0, end - Int64(chunk))
            var scratch = [UInt8](repeating: 0, count: Int(end - start))
            let count = try LogSegments.read(descriptor, into: &scratch, at: start, path: path, fileSystem: fileSystem)
            guard count == scratch.count else {
                throw .systemCall(path: path, operation: "read (file shrank while repairing)", errno: EIO)
            }
            if end == size && scratch.last == UInt8(ascii: "\n") { return 0 }
            if let last = scratch.lastIndex(of: UInt8(ascii: "\n")) {
                keep = start + Int64(last) + 1
                break search
            }
            end = start
        }
        try LogError.check("truncate torn tail", path: path) { fileSystem.ftruncate(descriptor, length: keep) }
        currentSegmentBytes = keep
        if policy.fsync != .never {
            try LogError.check("fsync", path: path) { fileSystem.fsync(descriptor) }
            fsyncCount += 1
        }
        return Int(size - keep)
    }

    /// Syncs (unless `never`), renames the current segment to its rotated name, creates a new
    /// current segment and syncs the directory. The buffer is empty when this runs.
    private func rotate(nowMillis: Int64) throws(LogError) {
        if hasUnsyncedBytes && policy.fsync != .never { try syncSegment(nowMillis: nowMillis) }
        let rotatedAt = max(nowMillis, lastRotationMillis)
        let target = segments.rotatedPath(sequence: nextSequence, rotatedAtMillis: rotatedAt)
        if try LogSegments.identity(ofPath: target, fileSystem: fileSystem) != nil { throw .segmentExists(path: target) }
        try LogError.check("rename to \(target)", path: path) { fileSystem.rename(path, to: target) }
        nextSequence += 1
        lastRotationMillis = rotatedAt
        rotationCount += 1
        // The data was written (and synced unless `never`) before the rename; a close error on
        // the renamed file can no longer lose anything this writer could retry.
        _ = fileSystem.close(descriptor)
        descriptor = -1
        currentSegmentBytes = 0
        try openCurrentSegment(nowMillis: nowMillis)
    }

    private func syncDirectory() throws(LogError) {
        let directory = segments.directory
        let opened = try LogError.check("open directory", path: directory) {
            fileSystem.open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
        }
        defer { _ = fileSystem.close(opened) }
        try LogError.check("fsync directory", path: directory) { fileSystem.fsync(opened) }
    }

    /// `mkdir -p`: creates `directory` and any missing parents with mode 0755. With `sync`, each
    /// directory created is made to survive a power cut (its parent is fsynced): otherwise the
    /// log's lines, though fsynced, could vanish with their directory's name.
    private static func makeDirectories(_ directory: String, sync: Bool, fileSystem: any FileSystem) throws(LogError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            let parent = prefix.isEmpty ? "." : prefix
            prefix += component
            if fileSystem.mkdir(prefix, mode: 0o755) == 0 {
                // Best effort, as for the checkpoint's directory: a parent this process may not
                // read (so not open) must not keep the log from opening.
                if sync { _ = fileSystem.syncDirectory(parent) }
            } else {
                let code = errno
                let isDirectory = fileSystem.status(ofPath: prefix)?.isDirectory == true
                if !(code == EEXIST && isDirectory) {
                    throw LogError.failure(
                        code == EEXIST ? "create directory (a file is in the way)" : "create directory",
                        path: prefix, errno: code)
                }
            }
            prefix += "/"
        }
    }
}
