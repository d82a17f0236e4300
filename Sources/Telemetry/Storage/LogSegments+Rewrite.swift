// Rewriting a rotated segment without some of its lines, crash-safely: the kept bytes go to
// `<segment>.rewrite` in the same directory, which is fsynced and renamed over the segment, then
// the directory is fsynced. A crash at any point leaves the old segment or the new one under the
// segment's name, each whole (the rename is atomic, and the new file's data is on disk before
// it); a leftover `.rewrite` file is removed when the writer next opens the log
// (`removeRewriteLeftovers`). Readers that open the segment by name get one file or the other.
// Files are streamed in 1 MiB chunks, so memory stays bounded whatever the segment's size.
// Always fsynced, whatever the log's fsync policy: a rewrite must never cost lines it keeps.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LogSegments {
    /// Suffix of the temporary file a rotated segment is rewritten into: `B-<time>-<n>.jsonl.rewrite`,
    /// which no reader of the log lists (the name does not end in `.jsonl`).
    static let rewriteSuffix = ".rewrite"

    /// Bytes read, and kept bytes buffered, per call while streaming a segment.
    static let streamChunkBytes = 1 << 20

    /// Calls `body` with each line of the file at `path` in order, without its newline, and
    /// whether it had one (only the last may lack it: a torn line a crash left). Returns false,
    /// without calling `body`, when the file does not exist. O(file) time, O(chunk + longest
    /// line) memory.
    func forEachLine(
        ofFileAt path: String, _ body: (_ line: ArraySlice<UInt8>, _ hasNewline: Bool) throws(LogError) -> Void
    ) throws(LogError) -> Bool {
        let descriptor = fileSystem.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return false }
            if code == EINTR { return try forEachLine(ofFileAt: path, body) }
            throw LogError.failure("open for reading", path: path, errno: code)
        }
        defer { _ = fileSystem.close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: Self.streamChunkBytes)
        var unfinished: [UInt8] = []
        var offset: Int64 = 0
        while true {
            let count = try Self.read(descriptor, into: &chunk, at: offset, path: path, fileSystem: fileSystem)
            if count == 0 { break }
            offset += Int64(count)
            var lineStart = 0
            while let newline = Self.newline(in: chunk, from: lineStart, to: count) {
                if unfinished.isEmpty {
                    try body(chunk[lineStart..<newline], true)
                } else {
                    unfinished += chunk[lineStart..<newline]
                    try body(unfinished[...], true)
                    unfinished.removeAll(keepingCapacity: true)
                }
                lineStart = newline + 1
            }
            unfinished += chunk[lineStart..<count]
        }
        if !unfinished.isEmpty { try body(unfinished[...], false) }
        return true
    }

    /// Replaces the rotated segment at `path` with the lines of it for which `keep` is true,
    /// byte for byte and in order, crash-safely (see the top of this file). `keep` sees each line
    /// as `forEachLine` gives it. Throws, leaving the segment as it was and no temporary file,
    /// when any step fails. Only the log's writer may call it (it holds the write lock).
    func rewriteSegment(
        at path: String, keeping keep: (_ line: ArraySlice<UInt8>, _ hasNewline: Bool) -> Bool
    ) throws(LogError) {
        let temporary = path + Self.rewriteSuffix
        let descriptor = try LogError.check("create", path: temporary) {
            fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
        }
        do throws(LogError) {
            var output: [UInt8] = []
            output.reserveCapacity(Self.streamChunkBytes + 4096)
            let found = try forEachLine(ofFileAt: path) { (line, hasNewline) throws(LogError) in
                guard keep(line, hasNewline) else { return }
                output += line
                if hasNewline { output.append(UInt8(ascii: "\n")) }
                if output.count >= Self.streamChunkBytes {
                    try writeAll(output, to: descriptor, path: temporary)
                    output.removeAll(keepingCapacity: true)
                }
            }
            guard found else { throw LogError.systemCall(path: path, operation: "open for rewriting", errno: ENOENT) }
            try writeAll(output, to: descriptor, path: temporary)
            try LogError.check("fsync", path: temporary) { fileSystem.fsync(descriptor) }
        } catch {
            _ = fileSystem.close(descriptor)
            _ = fileSystem.unlink(temporary)
            throw error
        }
        // Synced above: a close error can no longer lose what was written.
        _ = fileSystem.close(descriptor)
        guard fileSystem.rename(temporary, to: path) == 0 else {
            let code = errno
            _ = fileSystem.unlink(temporary)
            throw LogError.failure("rename \(temporary) over", path: path, errno: code)
        }
        try LogError.check("fsync directory", path: directory) { fileSystem.syncDirectory(directory) }
    }

    /// Deletes the rotated segment at `path` and fsyncs the directory, so that the deletion
    /// survives a power cut (a segment coming back would only hold lines already expired).
    func removeSegment(at path: String) throws(LogError) {
        guard fileSystem.unlink(path) == 0 || errno == ENOENT else {
            throw LogError.failure("delete (tier retention)", path: path, errno: errno)
        }
        try LogError.check("fsync directory", path: directory) { fileSystem.syncDirectory(directory) }
    }

    /// Deletes the temporary files of rewrites that a crash interrupted (`B-<time>-<n>.jsonl.rewrite`
    /// of this log), returning how many. Their segments are whole, old or new. Call only with the
    /// log's write lock held (when its writer opens it), never beside a running writer, whose
    /// rewrite in progress it would break.
    func removeRewriteLeftovers() throws(LogError) -> Int {
        guard let names = fileSystem.directoryEntries(atPath: directory) else {
            let code = errno
            if code == ENOENT { return 0 }
            throw LogError.failure("list directory", path: directory, errno: code)
        }
        var removed = 0
        for name in names where name.hasSuffix(Self.rewriteSuffix) {
            guard parseRotatedName(String(name.dropLast(Self.rewriteSuffix.count))) != nil else { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard fileSystem.unlink(path) == 0 || errno == ENOENT else {
                throw LogError.failure("delete an unfinished rewrite", path: path, errno: errno)
            }
            removed += 1
        }
        return removed
    }

    /// Writes all of `bytes` to `descriptor`, through partial writes and `EINTR`.
    private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(LogError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                fileSystem.write(descriptor, UnsafeRawBufferPointer(rebasing: raw[written...]))
            }
            if result > 0 {
                written += result
            } else if result == 0 {
                throw LogError.systemCall(path: path, operation: "write (no progress)", errno: EIO)
            } else if errno != EINTR {
                throw LogError.failure("write", path: path, errno: errno)
            }
        }
    }

    /// The index of the first newline in `bytes[from..<to]`, or nil.
    private static func newline(in bytes: [UInt8], from: Int, to: Int) -> Int? {
        guard from < to else { return nil }
        return bytes.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, let found = memchr(base + from, 0x0A, to - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }
}
