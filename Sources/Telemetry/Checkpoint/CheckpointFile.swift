// A checkpoint on disk: `TGCKPT01`, format version, payload length and CRC-32C, then the
// payload. Written to `<path>.tmp`, fsynced, renamed over `<path>` and the directory fsynced,
// so `<path>` is always either the previous complete checkpoint or the new one. The one it
// replaces stays as `<path>.previous` (a hard link made just before the rename): if `<path>` is
// ever found damaged, recovery falls back to it, and the write-ahead ring rewinds to it.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and atomically replaces a checkpoint file.
public enum CheckpointFile {
    static let magic: UInt64 = 0x3130_5450_4B43_4754  // "TGCKPT01", little-endian
    /// Bumped whenever the payload's layout changes. A file of a version from
    /// `oldestReadableVersion` on is read with that version's layout (`load` returns it with the
    /// payload); any other is refused, not misread.
    ///
    /// 3: the totals carry quarantines by device (`PipelineStats.quarantinedByDevice`).
    /// 4: counters' previous reading time and counter and state readings not yet in event
    /// order follow the pipeline state (`WindowAggregator.encodeEventOrder`).
    /// 5: then the devices and series retired (`PipelineStats.devicesRetired`, `seriesRetired`).
    /// 6: a coarser tier's open window holds the finer windows merged into it so far, not every
    /// reading (`WindowAggregator+TierMerge.swift`), and a gauge's open window is followed by its
    /// quantile sketch's bins, and the state ends with the sketches' relative accuracy; older
    /// open windows are refused.
    /// 7: a state window ends with its transitions and fault runs (`StatePartial.transitions`,
    /// `FaultRuns`); a state window of format 6 is restored with none.
    /// 8: then the Sparkplug B edge nodes' sessions and the Sparkplug totals
    /// (`SparkplugSessions+Checkpoint.swift`); a format 7 state has none. A gauge window's
    /// sketch bins are varints (`SparseBins+Checkpoint.swift`), no longer 16 bytes each.
    public static let version: UInt64 = 8
    /// The first format whose coarser windows are built from the finer ones.
    static let tiersFromTiersVersion: UInt64 = 6
    /// The first format whose state windows carry transitions and fault runs.
    static let stateMeasuresVersion: UInt64 = 7
    /// The first format with Sparkplug B sessions.
    static let sparkplugVersion: UInt64 = 8
    /// The first format whose sketch bins are varints.
    static let compactSketchVersion: UInt64 = 8
    /// The oldest version whose layout the readers still know.
    public static let oldestReadableVersion: UInt64 = 2

    /// A checkpoint as read from its file.
    public struct Contents: Sendable, Equatable {
        /// The format version the payload was written in: pass it to the payload's readers.
        public var version: UInt64
        public var payload: [UInt8]
    }

    /// Where the checkpoint replaced by the latest `store` to `path` is kept.
    public static func previousPath(of path: String) -> String { path + ".previous" }

    /// Atomically replaces `path` with `payload` on `fileSystem`. With `sync` false the data
    /// reaches the page cache only (survives a process crash, not a power cut).
    public static func store(
        _ payload: [UInt8], to path: String, sync: Bool, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(CheckpointError) {
        var header = CheckpointWriter()
        header.write(magic)
        header.write(version)
        header.write(payload.count)
        header.write(UInt64(CRC32C.checksum(payload)))
        let temporary = path + ".tmp"
        let descriptor = fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        guard descriptor >= 0 else { throw .file(path: temporary, operation: "open", errno: errno) }
        var failure: CheckpointError?
        for chunk in [header.bytes, payload] where failure == nil && !chunk.isEmpty {
            var written = 0
            while written < chunk.count {
                let result = chunk.withUnsafeBytes { raw -> Int in
                    fileSystem.write(descriptor, UnsafeRawBufferPointer(rebasing: raw[written...]))
                }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    failure = .file(path: temporary, operation: "write", errno: errno)
                    break
                }
                written += result
            }
        }
        if failure == nil, sync, fileSystem.fsync(descriptor) != 0 {
            failure = .file(path: temporary, operation: "fsync", errno: errno)
        }
        _ = fileSystem.close(descriptor)
        if let failure {
            _ = fileSystem.unlink(temporary)
            throw failure
        }
        // Failures only cost the fallback (none on the first checkpoint): not worth refusing for.
        let previous = previousPath(of: path)
        _ = fileSystem.unlink(previous)
        _ = fileSystem.link(path, to: previous)
        guard fileSystem.rename(temporary, to: path) == 0 else { throw .file(path: path, operation: "rename", errno: errno) }
        if sync {
            let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            _ = fileSystem.syncDirectory(directory.isEmpty ? "." : directory)
        }
    }

    /// The payload of the checkpoint at `path` on `fileSystem` and its format version, or nil
    /// when there is none.
    public static func load(
        from path: String, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(CheckpointError) -> Contents? {
        let descriptor = fileSystem.open(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .file(path: path, operation: "open", errno: errno)
        }
        defer { _ = fileSystem.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fileSystem.pread(descriptor, into: $0, at: Int64(bytes.count)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .file(path: path, operation: "read", errno: errno) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var reader = CheckpointReader(bytes)
        guard try reader.readUInt64() == magic else { throw .mismatch(path: path, detail: "not a gateway checkpoint") }
        let fileVersion = try reader.readUInt64()
        guard (oldestReadableVersion...version).contains(fileVersion) else {
            throw .mismatch(
                path: path,
                detail: "checkpoint format \(fileVersion), this gateway reads \(oldestReadableVersion) to \(version)")
        }
        let length = try reader.readInt()
        let checksum = try reader.readUInt64()
        let start = reader.offset
        guard length >= 0, start + length == bytes.count else {
            throw .mismatch(path: path, detail: "payload of \(bytes.count - start) bytes, header says \(length)")
        }
        let payload = Array(bytes[start...])
        guard UInt64(CRC32C.checksum(payload)) == checksum else {
            throw .mismatch(path: path, detail: "checksum mismatch: the file is damaged")
        }
        return Contents(version: fileVersion, payload: payload)
    }
}
