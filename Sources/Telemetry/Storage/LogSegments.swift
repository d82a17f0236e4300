// Rotated names carry a UTC time formatted by hand from gmtime_r (no locale, no Foundation
// formatter): the name is a public interface and must not change with the environment.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The segment files of one append-only JSON Lines log, listed oldest→newest, and reading
/// their complete lines (tests, replay, a query index rebuilt from the log).
///
/// Layout on disk, for directory `D` and base name `B` (a public interface: operators,
/// `tail -F D/B.jsonl` and scripts rely on it):
/// * `D/B.jsonl` is the current segment, the only file ever appended to. It always ends with a
///   newline except while a write is in progress or after a crash; a writer opening it cuts a
///   torn last line back to the last newline.
/// * `D/B-<yyyyMMdd'T'HHmmss'Z'>-<sequence>.jsonl` are rotated segments, never appended to
///   again. Tier retention may later replace one, atomically by rename, with a copy lacking
///   expired lines (`applyTierRetention`); readers opening it get the old file or the new one.
///   The time is the UTC second at which the segment was rotated (closed), so a segment holds
///   lines written up to that time and after the previous segment's time; it is never earlier
///   than the previous segment's time even if the wall clock steps back. The sequence starts at
///   1, is zero-padded to 6 digits and is one more than the highest present, so names sort
///   oldest→newest as plain strings (up to 999 999 rotations; `list()` sorts by number and
///   stays right beyond that).
/// Each line is one record without embedded newlines; lines are never split across segments.
public struct LogSegments: Sendable, Equatable {
    /// One segment file of the log.
    public struct Segment: Sendable, Equatable {
        /// Full path of the file.
        public let path: String
        /// Rotation sequence number, or `nil` for the current segment `B.jsonl`.
        public let sequence: Int?
        /// The rotation time from the name, in milliseconds since the epoch (a whole second),
        /// or `nil` for the current segment.
        public let rotatedAtMillis: Int64?

        /// True for the current segment `B.jsonl`.
        public var isCurrent: Bool { sequence == nil }
    }

    /// The directory holding the segments.
    public let directory: String
    /// The base name `B` shared by every segment file of this log.
    public let baseName: String
    /// Where the files are read and written (the real one unless a test simulates power cuts).
    public let fileSystem: any FileSystem

    /// Names the log `directory/baseName*.jsonl` (an empty `directory` means the working
    /// directory) on `fileSystem`; checks `baseName` only, touches no file.
    public init(directory: String, baseName: String, fileSystem: any FileSystem = PosixFileSystem()) throws(LogError) {
        guard !baseName.isEmpty, !baseName.utf8.contains(UInt8(ascii: "/")), !baseName.utf8.contains(0) else {
            throw .invalidBaseName(baseName)
        }
        self.directory = directory.isEmpty ? "." : directory
        self.baseName = baseName
        self.fileSystem = fileSystem
    }

    /// Two values name the same log when directory and base name are equal (the file system is
    /// not compared).
    public static func == (lhs: LogSegments, rhs: LogSegments) -> Bool {
        lhs.directory == rhs.directory && lhs.baseName == rhs.baseName
    }

    /// `D/B.jsonl`, the file being appended to.
    public var currentPath: String { join(directory, "\(baseName).jsonl") }

    /// The path a segment rotated at `rotatedAtMillis` with `sequence` gets, e.g.
    /// `D/rollups-20251121T044000Z-000001.jsonl` (milliseconds are truncated to the second).
    public func rotatedPath(sequence: Int, rotatedAtMillis: Int64) -> String {
        let digits = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return join(directory, "\(baseName)-\(Self.stamp(millis: rotatedAtMillis))-\(padded).jsonl")
    }

    /// Every segment, oldest→newest: rotated ones by sequence, then `B.jsonl` if it exists.
    /// A missing directory is an empty log. Files that do not match the layout are ignored.
    /// O(n log n) in the directory's entries.
    public func list() throws(LogError) -> [Segment] {
        var segments = try rotatedSegments()
        if try Self.identity(ofPath: currentPath, fileSystem: fileSystem) != nil {
            segments.append(Segment(path: currentPath, sequence: nil, rotatedAtMillis: nil))
        }
        return segments
    }

    /// All complete lines of the log, oldest first, without their newlines. A torn last line
    /// (no newline yet) is left out. Safe while a writer appends and rotates: it returns the
    /// lines of a consistent snapshot, each exactly once. Reads everything into memory.
    public func readCompleteLines() throws(LogError) -> [String] {
        let snapshot = try openSnapshot()
        defer { if let current = snapshot.current { _ = fileSystem.close(current.descriptor) } }
        var lines: [String] = []
        for segment in snapshot.rotated {
            guard let bytes = try Self.readFile(atPath: segment.path, fileSystem: fileSystem) else { continue }
            lines += Self.completeLines(in: bytes).lines
        }
        if let current = snapshot.current {
            let bytes = try Self.readToEnd(descriptor: current.descriptor, from: 0, path: currentPath, fileSystem: fileSystem)
            lines += Self.completeLines(in: bytes).lines
        }
        return lines
    }

    /// The complete lines of one segment file and the size of a torn tail after the last
    /// newline (0 when the file ends with a newline or is empty).
    public static func readCompleteLines(
        atPath path: String, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(LogError) -> (lines: [String], tornTailBytes: Int) {
        guard let bytes = try readFile(atPath: path, fileSystem: fileSystem) else {
            throw .systemCall(path: path, operation: "open", errno: ENOENT)
        }
        let split = completeLines(in: bytes)
        return (split.lines, bytes.count - split.consumed)
    }

    // MARK: - Shared with the writer and the follower

    /// Which file a path or descriptor refers to (device and inode), to tell a renamed
    /// segment from the new current one.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64

        init(_ status: FileStatus) {
            device = status.device
            inode = status.inode
        }
    }

    /// An open descriptor on `B.jsonl` with its identity.
    struct OpenSegment {
        let descriptor: Int32
        let identity: FileIdentity
    }

    /// How often `openSnapshot` re-reads the directory before giving up on a log that rotates
    /// while it is being listed.
    static let snapshotAttempts = 1000

    /// `B.jsonl` opened for reading (nil if absent) and the rotated segments by sequence, such
    /// that the listing is complete and every listed segment was rotated before the opened
    /// file. A directory read while names are renamed into it may miss them, so the listing is
    /// repeated until `B.jsonl` still names the opened file (or is still absent) after it: no
    /// rotation ran meanwhile. The caller closes `current`.
    func openSnapshot() throws(LogError) -> (rotated: [Segment], current: OpenSegment?) {
        for _ in 0..<Self.snapshotAttempts {
            let current = try openCurrentForReading()
            let rotated: [Segment]
            let afterListing: FileIdentity?
            do throws(LogError) {
                rotated = try rotatedSegments()
                afterListing = try Self.identity(ofPath: currentPath, fileSystem: fileSystem)
            } catch {
                if let current { _ = fileSystem.close(current.descriptor) }
                throw error
            }
            if afterListing == current?.identity { return (rotated, current) }
            if let current { _ = fileSystem.close(current.descriptor) }
        }
        throw .systemCall(
            path: directory,
            operation: "list the segments of \(baseName) (it rotated during each of "
                + "\(Self.snapshotAttempts) attempts)", errno: EAGAIN)
    }

    /// Opens `B.jsonl` read-only, or returns nil when it does not exist.
    func openCurrentForReading() throws(LogError) -> OpenSegment? {
        let path = currentPath
        let descriptor = fileSystem.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == EINTR { return try openCurrentForReading() }
            throw LogError.failure("open for reading", path: path, errno: code)
        }
        do {
            return OpenSegment(
                descriptor: descriptor, identity: try Self.identity(ofDescriptor: descriptor, path: path, fileSystem: fileSystem))
        } catch {
            _ = fileSystem.close(descriptor)
            throw error
        }
    }

    /// The rotated segments, sorted by sequence. A missing directory yields none.
    func rotatedSegments() throws(LogError) -> [Segment] {
        guard let names = fileSystem.directoryEntries(atPath: directory) else {
            let code = errno
            if code == ENOENT { return [] }
            throw LogError.failure("list directory", path: directory, errno: code)
        }
        var segments: [Segment] = []
        for name in names {
            if let parsed = parseRotatedName(name) {
                segments.append(Segment(path: join(directory, name), sequence: parsed.sequence, rotatedAtMillis: parsed.millis))
            }
        }
        segments.sort { ($0.sequence ?? 0) < ($1.sequence ?? 0) }
        return segments
    }

    /// The sequence and time of a rotated segment's file name of this log, or nil if `name`
    /// is not one (another log's segment, a temporary file, a malformed name).
    func parseRotatedName(_ name: String) -> (sequence: Int, millis: Int64)? {
        let prefix = baseName + "-"
        let suffix = ".jsonl"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let middle = Array(name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count))
        // "yyyyMMddTHHmmssZ" (16 bytes), "-", then 6 to 18 digits.
        guard middle.count >= 23, middle.count <= 35, middle[16] == UInt8(ascii: "-") else { return nil }
        let digits = middle[17...]
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let sequence = Int(String(decoding: digits, as: UTF8.self)),
            let millis = Self.millis(stamp: String(decoding: middle[..<16], as: UTF8.self))
        else { return nil }
        return (sequence, millis)
    }

    /// `millis` as `yyyyMMdd'T'HHmmss'Z'` in UTC (floored to the second; clamped to years 0–9999).
    static func stamp(millis: Int64) -> String {
        let maximumSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
        let minimumSeconds: Int64 = -62_167_219_200  // 0000-01-01T00:00:00Z
        let floored = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        var seconds = time_t(min(max(floored, minimumSeconds), maximumSeconds))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2) + "T"
            + digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2) + "Z"
    }

    /// The milliseconds since the epoch of a `yyyyMMdd'T'HHmmss'Z'` stamp, or nil if it is
    /// malformed or names an impossible date (checked by formatting it back).
    static func millis(stamp: String) -> Int64? {
        let bytes = Array(stamp.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let millis = Int64(timegm(&parts)) * 1000
        return Self.stamp(millis: millis) == stamp ? millis : nil
    }

    /// The identity of the file at `path`, or nil if nothing is there.
    static func identity(ofPath path: String, fileSystem: any FileSystem) throws(LogError) -> FileIdentity? {
        if let status = fileSystem.status(ofPath: path) { return FileIdentity(status) }
        let code = errno
        if code == ENOENT { return nil }
        throw LogError.failure("stat", path: path, errno: code)
    }

    /// The identity of the file open as `descriptor`.
    static func identity(
        ofDescriptor descriptor: Int32, path: String, fileSystem: any FileSystem
    ) throws(LogError) -> FileIdentity {
        FileIdentity(try status(ofDescriptor: descriptor, path: path, fileSystem: fileSystem))
    }

    /// The size in bytes of the file open as `descriptor`.
    static func size(ofDescriptor descriptor: Int32, path: String, fileSystem: any FileSystem) throws(LogError) -> Int64 {
        try status(ofDescriptor: descriptor, path: path, fileSystem: fileSystem).size
    }

    /// `fstat` of `descriptor`, retrying on `EINTR`.
    static func status(ofDescriptor descriptor: Int32, path: String, fileSystem: any FileSystem) throws(LogError) -> FileStatus {
        while true {
            if let status = fileSystem.status(ofDescriptor: descriptor) { return status }
            let code = errno
            if code != EINTR { throw LogError.failure("fstat", path: path, errno: code) }
        }
    }

    /// The whole file at `path`, or nil if it does not exist.
    static func readFile(atPath path: String, fileSystem: any FileSystem) throws(LogError) -> [UInt8]? {
        let descriptor = fileSystem.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == EINTR { return try readFile(atPath: path, fileSystem: fileSystem) }
            throw LogError.failure("open for reading", path: path, errno: code)
        }
        defer { _ = fileSystem.close(descriptor) }
        return try readToEnd(descriptor: descriptor, from: 0, path: path, fileSystem: fileSystem)
    }

    /// Everything from byte `offset` to the current end of the file open as `descriptor`.
    static func readToEnd(
        descriptor: Int32, from offset: Int64, path: String, fileSystem: any FileSystem
    ) throws(LogError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var position = offset
        while true {
            let count = try read(descriptor, into: &chunk, at: position, path: path, fileSystem: fileSystem)
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            position += Int64(count)
        }
    }

    /// `pread(2)` of up to `bytes.count` bytes at `offset` into `bytes`, retrying on `EINTR`;
    /// returns how many were read (0 at the end of the file).
    static func read(
        _ descriptor: Int32, into bytes: inout [UInt8], at offset: Int64, path: String, fileSystem: any FileSystem
    ) throws(LogError) -> Int {
        while true {
            let result = bytes.withUnsafeMutableBytes { raw in
                fileSystem.pread(descriptor, into: raw, at: offset)
            }
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw LogError.failure("read", path: path, errno: code) }
        }
    }

    /// Splits `bytes` at newlines: the complete lines (without newlines) and how many bytes
    /// they span; anything after the last newline is a partial line, not returned. O(n).
    static func completeLines<Bytes: RandomAccessCollection>(in bytes: Bytes) -> (lines: [String], consumed: Int)
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var lines: [String] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                lines.append(String(decoding: bytes[lineStart..<index], as: UTF8.self))
                lineStart = index + 1
            }
            index += 1
        }
        return (lines, lineStart - bytes.startIndex)
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
