#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a segmented log's complete lines by `LogCursor`, for programs that derive data from
/// the log and must resume where they stopped (the query index). Unlike `LogFollower` it keeps
/// no open file between calls: each `read` lists the segments again, so it may run in another
/// process than the writer, and a restart resumes from a stored cursor.
public struct LogReader: Sendable {
    /// One complete line (without its newline) and where it starts.
    public struct Line: Sendable, Equatable {
        public let start: LogCursor
        public let bytes: [UInt8]
    }

    /// What one `read` returned.
    public struct Chunk: Sendable, Equatable {
        /// Complete lines in log order.
        public var lines: [Line] = []
        /// Where the next read starts: after the last complete line returned.
        public var end: LogCursor
        /// Segments between the cursor and `end` that no longer exist (removed by retention).
        public var segmentsMissing = 0
        /// True when the cursor lies beyond the log's end: the log was cut back (crash recovery)
        /// or removed since the cursor was taken. Nothing is read then.
        public var cursorBeyondEnd = false
    }

    /// The log read.
    public let segments: LogSegments

    public init(segments: LogSegments) {
        self.segments = segments
    }

    /// The cursor of the log's first byte: the oldest segment still present, or the current file.
    public func start() throws(LogError) -> LogCursor {
        let rotated = try segments.rotatedSegments()
        let first = rotated.first?.sequence ?? Self.currentSequence(rotated: rotated)
        return LogCursor(segment: first, offset: 0)
    }

    /// The cursor at the log's end now (after its last complete line or partial bytes alike).
    public func end() throws(LogError) -> LogCursor {
        let snapshot = try segments.openSnapshot()
        defer { if let current = snapshot.current { _ = segments.fileSystem.close(current.descriptor) } }
        let sequence = Self.currentSequence(rotated: snapshot.rotated)
        guard let current = snapshot.current else { return LogCursor(segment: sequence, offset: 0) }
        let size = try LogSegments.size(
            ofDescriptor: current.descriptor, path: segments.currentPath, fileSystem: segments.fileSystem)
        return LogCursor(segment: sequence, offset: size)
    }

    /// Complete lines from `cursor` on: the rest of its segment, then later segments, ending at
    /// the current file's last newline. Stops after the segment in which `maxBytes` is passed,
    /// so one call holds at most one segment's bytes beyond it. Bytes after a rotated segment's
    /// last newline (a torn line a crash left) are skipped; in the current file they wait for
    /// their newline.
    public func read(from cursor: LogCursor, maxBytes: Int) throws(LogError) -> Chunk {
        let fileSystem = segments.fileSystem
        let snapshot = try segments.openSnapshot()
        defer { if let current = snapshot.current { _ = fileSystem.close(current.descriptor) } }
        let currentSequence = Self.currentSequence(rotated: snapshot.rotated)
        var chunk = Chunk(end: cursor)
        guard cursor.segment <= currentSequence else {
            chunk.cursorBeyondEnd = true
            return chunk
        }
        var bytesRead = 0
        for segment in snapshot.rotated {
            guard let sequence = segment.sequence, sequence >= chunk.end.segment else { continue }
            if sequence > chunk.end.segment {
                chunk.segmentsMissing += sequence - chunk.end.segment
                chunk.end = LogCursor(segment: sequence, offset: 0)
            }
            guard let bytes = try LogSegments.readFile(atPath: segment.path, fileSystem: fileSystem) else {
                // Removed by retention between the listing and the read.
                chunk.segmentsMissing += 1
                chunk.end = LogCursor(segment: sequence + 1, offset: 0)
                continue
            }
            guard Int64(bytes.count) >= chunk.end.offset else {
                chunk.cursorBeyondEnd = true
                return chunk
            }
            bytesRead += Self.appendLines(of: bytes, in: sequence, from: chunk.end.offset, to: &chunk)
            chunk.end = LogCursor(segment: sequence + 1, offset: 0)
            if bytesRead >= maxBytes { return chunk }
        }
        if chunk.end.segment < currentSequence {
            chunk.segmentsMissing += currentSequence - chunk.end.segment
            chunk.end = LogCursor(segment: currentSequence, offset: 0)
        }
        guard let current = snapshot.current else {
            if chunk.end.offset > 0 { chunk.cursorBeyondEnd = true }
            return chunk
        }
        let path = segments.currentPath
        let size = try LogSegments.size(ofDescriptor: current.descriptor, path: path, fileSystem: fileSystem)
        guard size >= chunk.end.offset else {
            chunk.cursorBeyondEnd = true
            return chunk
        }
        let bytes = try LogSegments.readToEnd(
            descriptor: current.descriptor, from: chunk.end.offset, path: path, fileSystem: fileSystem)
        let consumed = Self.appendLines(of: bytes, in: currentSequence, from: 0, to: &chunk, base: chunk.end.offset)
        chunk.end = LogCursor(segment: currentSequence, offset: chunk.end.offset + Int64(consumed))
        return chunk
    }

    /// `count` bytes of segment `cursor.segment` from `cursor.offset`, or nil when the segment
    /// does not exist or is shorter: to check that bytes read before are still in place.
    public func bytes(at cursor: LogCursor, count: Int) throws(LogError) -> [UInt8]? {
        let fileSystem = segments.fileSystem
        let snapshot = try segments.openSnapshot()
        defer { if let current = snapshot.current { _ = fileSystem.close(current.descriptor) } }
        if cursor.segment == Self.currentSequence(rotated: snapshot.rotated) {
            guard let current = snapshot.current else { return nil }
            let tail = try LogSegments.readToEnd(
                descriptor: current.descriptor, from: cursor.offset, path: segments.currentPath, fileSystem: fileSystem)
            return tail.count >= count ? Array(tail.prefix(count)) : nil
        }
        guard let segment = snapshot.rotated.first(where: { $0.sequence == cursor.segment }),
            let whole = try LogSegments.readFile(atPath: segment.path, fileSystem: fileSystem),
            cursor.offset >= 0, Int64(whole.count) - cursor.offset >= Int64(count)
        else { return nil }
        let start = Int(cursor.offset)
        return Array(whole[start..<start + count])
    }

    /// The current file's number: one past the newest rotated segment.
    static func currentSequence(rotated: [LogSegments.Segment]) -> Int {
        (rotated.last?.sequence ?? 0) + 1
    }

    /// Appends the complete lines of `bytes[from...]` (offsets relative to the segment start
    /// `base` bytes before `bytes`) and returns the bytes they cover, newlines included.
    @discardableResult
    private static func appendLines(
        of bytes: [UInt8], in sequence: Int, from: Int64, to chunk: inout Chunk, base: Int64 = 0
    ) -> Int {
        var lineStart = Int(from)
        var index = lineStart
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                chunk.lines.append(
                    Line(
                        start: LogCursor(segment: sequence, offset: base + Int64(lineStart)),
                        bytes: Array(bytes[lineStart..<index])))
                lineStart = index + 1
            }
            index += 1
        }
        return lineStart - Int(from)
    }
}
