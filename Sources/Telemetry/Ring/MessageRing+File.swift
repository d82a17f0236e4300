// The ring as a write-ahead log: backed by a file mapped MAP_SHARED, every record the MQTT
// callback publishes is in the kernel's page cache before the callback returns, so it survives
// a crash of the process (kill -9) without an fsync. A power cut is covered by msync, as often
// as `SyncMode` says: after every publish (before the PUBACK), or every interval from the
// pipeline thread (`syncPublished`), or never (the kernel's writeback).
//
// In this mode the consumer does not free space as it reads: `release(through:)` frees it only
// up to a position whose effects are durable (a checkpoint). Reopening the file restores the
// published write index and the released read index, so the consumer starts again at the first
// record not covered by a checkpoint and replays everything after it. A record staged but not
// published when the process died is beyond the write index and is ignored: the write index is
// the commit marker.
//
// After a power cut the file's pages may have reached the disk in any order, so the write index
// is not trusted alone: opening walks the records from the read index and keeps only the run
// whose every record holds its own position and a matching CRC-32C (MessageRing.swift has the
// layout); the first torn or stale record ends it. `rewind(to:)` uses the same walk to replay
// records a checkpoint that did not reach the disk still needs.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MessageRing {
    /// When a file-backed ring forces its records to stable storage (survives a power cut).
    public enum SyncMode: Sendable, Equatable {
        /// `publish()` msyncs before returning: nothing acknowledged is lost, one msync per
        /// MQTT message.
        case eachPublish
        /// The owner calls `syncPublished()` on a timer; a power cut loses at most that interval.
        case periodic
        /// Never msync; survives a process crash, not a power cut.
        case never
    }

    /// Identifies a ring file and the layout it was written with (`Line.fileHeader` of the block).
    struct FileHeader {
        static let magic: UInt64 = 0x3130_474E_4952_4754  // "TGRING01", little-endian
        static let version: UInt64 = 3
        var magic = FileHeader.magic
        var version = FileHeader.version
        var capacityBytes: UInt64

        init(capacityBytes: Int) {
            self.capacityBytes = UInt64(capacityBytes)
        }
    }

    /// Why a ring file could not be opened, with the path and what to do.
    public enum FileError: Error, Equatable, CustomStringConvertible {
        /// A system call on the ring file failed.
        case system(SystemCallError)
        case locked(path: String)
        case capacityChanged(path: String, fileCapacity: Int, requested: Int, unconsumedBytes: Int)
        case corrupt(path: String, detail: String)

        /// `operation` on `path` failed with `errno`.
        public static func system(path: String, operation: String, errno: Int32) -> FileError {
            .system(SystemCallError(path: path, operation: operation, errno: errno))
        }

        public var description: String {
            switch self {
            case .system(let failure):
                return failure.description
            case .locked(path: let path):
                return "\(path) is in use by another gateway process"
            case .capacityChanged(let path, let fileCapacity, let requested, let unconsumed):
                return "\(path) holds \(unconsumed) bytes not yet ingested in a ring of \(fileCapacity) bytes, but "
                    + "ingest.ring_size is \(requested): start once with ring_size \(fileCapacity) to ingest them, then change it"
            case .corrupt(let path, let detail):
                return "\(path) is not a usable ring file (\(detail)); move it away to start with an empty ring"
            }
        }
    }

    /// Opens (or creates) a file-backed ring at `path` on `fileSystem` with `capacityBytes` of
    /// records, restoring the records published and not yet released by an earlier process, up
    /// to the first torn one (`tornBytesDiscarded` tells how much was dropped after it).
    /// An existing file with another capacity is recreated only when it holds nothing unreleased.
    public static func openFile(
        atPath path: String, capacityBytes: Int, sync: SyncMode = .never, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(FileError) -> MessageRing {
        checkCapacity(capacityBytes)
        let total = controlBytes + capacityBytes
        let fd = fileSystem.open(path, flags: O_RDWR | O_CREAT | O_CLOEXEC, mode: 0o600)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        guard fileSystem.flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            _ = fileSystem.close(fd)
            throw .locked(path: path)
        }
        guard let info = fileSystem.status(ofDescriptor: fd) else {
            let code = errno
            _ = fileSystem.close(fd)
            throw .system(path: path, operation: "fstat", errno: code)
        }
        let size = Int(info.size)
        var restoring: (write: Int, read: Int)?
        if size > 0 {
            do {
                restoring = try readIndices(fd: fd, path: path, size: size, capacityBytes: capacityBytes, fileSystem: fileSystem)
            } catch {
                _ = fileSystem.close(fd)
                throw error
            }
        }
        if size != total {
            guard fileSystem.ftruncate(fd, length: Int64(total)) == 0 else {
                let code = errno
                _ = fileSystem.close(fd)
                throw .system(path: path, operation: "resize to \(total) bytes", errno: code)
            }
        }
        // Reserve every block now: a store into a mapped page the file system cannot back
        // (disk full) would kill the process with SIGBUS instead of returning an error.
        guard fileSystem.fallocate(fd, offset: 0, length: Int64(total)) == 0 else {
            let code = errno
            _ = fileSystem.close(fd)
            throw .system(path: path, operation: "reserve \(total) bytes", errno: code)
        }
        guard let mapped = fileSystem.mapShared(fd, length: total) else {
            let code = errno
            _ = fileSystem.close(fd)
            throw .system(path: path, operation: "mmap \(total) bytes", errno: code)
        }
        var torn = 0
        if let (written, read) = restoring {
            let intact = intactEnd(data: mapped + controlBytes, capacityBytes: capacityBytes, from: read, limit: written)
            torn = written - intact
            restoring = (intact, read)
        }
        let ring = MessageRing(
            block: mapped, capacityBytes: capacityBytes, restoring: restoring, fileDescriptor: fd,
            fileSystem: fileSystem, syncsEachPublish: sync == .eachPublish)
        ring.tornBytesDiscarded = torn
        if let (written, read) = restoring, sync != .never {
            // Records an earlier process published but never synced (it was killed between two
            // syncs, or before its group's msync) are in the page cache only. Sync them before
            // anything new is added behind them: a power cut that tore them would otherwise end
            // the replay there and drop every record synced and acknowledged after them, and
            // with `periodic` syncs they would never be synced at all (the sync cursors start
            // at the write index).
            guard ring.syncToStorage(from: read, to: written) else {
                throw .system(path: path, operation: "msync of the records an earlier process left unsynced", errno: errno)
            }
        }
        if restoring == nil {
            // A new (or reset) ring: its header and size, and its name in the directory, reach
            // the disk before any record does. Otherwise a power cut could leave a file of the
            // full size whose header never reached the disk, which would not open again.
            guard ring.syncToStorage(from: 0, to: 0) else {
                throw .system(path: path, operation: "msync of the new ring's header", errno: errno)
            }
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            guard fileSystem.syncDirectory(directory) == 0 else {
                throw .system(path: directory, operation: "fsync of the directory holding the new ring", errno: errno)
            }
        }
        return ring
    }

    /// The end of the run of intact records that starts at `position`, stopping at `limit`
    /// (a published write index). A record is intact when it fits the data area, says it starts
    /// at its position and its checksum holds; a skip marker when it carries its position's check
    /// and a record follows it. O(bytes walked).
    static func intactEnd(data: UnsafeRawPointer, capacityBytes: Int, from position: Int, limit: Int) -> Int {
        var head = position
        while head < limit {
            let offset = head & (capacityBytes - 1)
            let record = data + offset
            let untilEnd = capacityBytes - offset
            let length = record.load(as: UInt32.self)
            if length == skipMarker {
                guard record.load(fromByteOffset: 4, as: UInt32.self) == skipCheck(position: head),
                    head + untilEnd < limit
                else { break }
                head += untilEnd
                continue
            }
            let bytes = Int(length)
            let stride = (bytes + 7) & ~7
            guard untilEnd >= headerBytes, bytes >= headerBytes, bytes <= untilEnd, head + stride <= limit,
                Int(record.load(fromByteOffset: 4, as: UInt32.self)) <= bytes - headerBytes,
                record.load(fromByteOffset: 16, as: Int64.self) == Int64(head),
                record.load(fromByteOffset: 28, as: UInt32.self) == checksum(ofRecord: record, length: bytes)
            else { break }
            head += stride
        }
        return head
    }

    /// The check a skip marker carries: its position / 8 (positions are multiples of 8), low
    /// 32 bits. Differs from any earlier lap's marker at the same offset unless it was written
    /// a multiple of 32 GiB earlier.
    @inline(__always)
    static func skipCheck(position: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: position >> 3)
    }

    /// CRC-32C of a record's first 28 header bytes and its topic and payload.
    @inline(__always)
    static func checksum(ofRecord record: UnsafeRawPointer, length: Int) -> UInt32 {
        let header = CRC32C.checksum(UnsafeRawBufferPointer(start: record, count: checkedHeaderBytes))
        return CRC32C.checksum(
            UnsafeRawBufferPointer(start: record + headerBytes, count: length - headerBytes),
            continuing: header)
    }

    /// Reads the header and indices of an existing ring file without mapping it.
    /// Returns nil when the file has another capacity and holds nothing unreleased (so it may be
    /// reset); an empty ring of the same capacity keeps its positions, which checkpoints name.
    private static func readIndices(
        fd: Int32, path: String, size: Int, capacityBytes: Int, fileSystem: any FileSystem
    ) throws(FileError) -> (write: Int, read: Int)? {
        var control = [UInt8](repeating: 0, count: controlBytes)
        let got = control.withUnsafeMutableBytes { fileSystem.pread(fd, into: $0, at: 0) }
        guard got == controlBytes else { throw .corrupt(path: path, detail: "shorter than its header (\(size) bytes)") }
        // A header that never reached the disk (a power cut while the ring was being created,
        // after its size did): nothing was ever synced into it, so it holds nothing to replay.
        if control.allSatisfy({ $0 == 0 }) { return nil }
        let (header, written, read) = control.withUnsafeBytes { raw in
            (
                raw.load(fromByteOffset: Line.fileHeader * lineBytes, as: FileHeader.self),
                raw.load(fromByteOffset: 0, as: Int.self),
                raw.load(fromByteOffset: 2 * lineBytes, as: Int.self)
            )
        }
        guard header.magic == FileHeader.magic else { throw .corrupt(path: path, detail: "no ring header") }
        guard header.version == FileHeader.version else {
            // An empty ring of an older format holds nothing to replay: start a new one.
            if written == read { return nil }
            throw .corrupt(
                path: path,
                detail: "format version \(header.version) with \(written - read) bytes not yet ingested, "
                    + "expected version \(FileHeader.version); ingest them with the gateway version that wrote it")
        }
        let fileCapacity = Int(header.capacityBytes)
        // An empty ring of another capacity is reset, whatever the file's size: a power cut while
        // it was being resized can leave the new size with the old header.
        if read >= 0 && written == read && fileCapacity != capacityBytes { return nil }
        guard read >= 0, written >= read, written - read <= fileCapacity, size == controlBytes + fileCapacity else {
            throw .corrupt(path: path, detail: "indices \(read)…\(written) do not fit a ring of \(fileCapacity) bytes")
        }
        guard fileCapacity == capacityBytes else {
            throw .capacityChanged(
                path: path, fileCapacity: fileCapacity, requested: capacityBytes, unconsumedBytes: written - read)
        }
        return (written, read)
    }

    /// Consumer only. Position just past the last record `consume` has handed out; what a
    /// checkpoint records as "everything before this is reflected in my state".
    public var consumedPosition: Int { consumer.pointee.head }

    /// Consumer only. Bytes consumed but not yet released (always 0 for an anonymous ring).
    public var unreleasedBytes: Int { consumer.pointee.head &- readIndex.load(ordering: .relaxed) }

    /// Consumer only. Frees the space of every record before `position` (a value of
    /// `consumedPosition`) for the producer. For a file-backed ring, call it only once the
    /// records' effects are durable: after a restart, consumption resumes at this position.
    public func release(through position: Int) {
        precondition(position <= consumer.pointee.head, "release beyond what was consumed")
        if fileDescriptor >= 0 { unmapPages(from: readIndex.load(ordering: .relaxed), to: position) }
        // Release: the consumer's reads of these records happen before the producer reuses them.
        readIndex.store(position, ordering: .releasing)
    }

    /// Drops the whole pages of positions `from..<to` from the process's page tables
    /// (MADV_DONTNEED). For a shared file mapping the data stays in the page cache (dirty pages
    /// are still written back), so nothing is lost; the pages just stop counting in the gateway's
    /// resident memory until the producer writes there again, a lap later (a minor fault per
    /// page). Without it a 64 MiB ring is 64 MiB of RSS once it has wrapped. Called before the
    /// read index moves, so the producer is not writing in these pages.
    private func unmapPages(from: Int, to: Int) {
        let page = Self.pageBytes
        var start = from
        let end = min(to, from + capacityBytes)
        while start < end {
            let offset = start & mask
            let chunkEnd = min(end, start + (capacityBytes - offset))
            let first = (Self.controlBytes + offset + page - 1) & ~(page - 1)
            let last = (Self.controlBytes + offset + (chunkEnd - start)) & ~(page - 1)
            if last > first { _ = fileSystem.releaseMappedPages(block + first, length: last - first) }
            start = chunkEnd
        }
    }
}

extension MessageRing {
    /// Consumer only. Consumes, without handing them out, the records before `position` (a
    /// value `consumedPosition` had): recovery uses it for records a checkpoint already
    /// reflects. Returns false if `position` is not a record boundary the ring holds.
    public func skip(through position: Int) -> Bool {
        while consumer.pointee.head < position {
            if consume(maxMessages: 1, { _ in }) == 0 { return false }
        }
        return consumer.pointee.head == position
    }
}

extension MessageRing {
    /// Consumer only, before the producer starts. Makes the records from `position` up to the
    /// released read index unread again, if every one of them is still intact in the file: the
    /// way back to a checkpoint that is older than the ring's read index (its file did not reach
    /// the disk before a power cut, but the ring's header did). Returns false, changing nothing,
    /// when any of them has been overwritten or is torn. O(bytes walked).
    public func rewind(to position: Int) -> Bool {
        let read = consumer.pointee.head
        guard read == readIndex.load(ordering: .relaxed) else { return false }
        let written = writeIndex.load(ordering: .acquiring)
        guard position >= 0, position <= read, written - position <= capacityBytes else { return false }
        guard Self.intactEnd(data: data, capacityBytes: capacityBytes, from: position, limit: read) == read else {
            return false
        }
        consumer.pointee.head = position
        consumer.pointee.cachedTail = position
        producer.pointee.cachedHead = position
        readIndex.store(position, ordering: .releasing)
        return true
    }

    /// Consumer only. Forces every record published so far, and the indices, to stable storage
    /// (msync), for `SyncMode.periodic`. Returns false if the kernel reported a write error (also
    /// counted in `syncFailureCount`). A no-op for an anonymous ring.
    @discardableResult
    public func syncPublished() -> Bool {
        guard fileDescriptor >= 0 else { return true }
        let written = writeIndex.load(ordering: .acquiring)
        let synced = syncToStorage(from: consumer.pointee.synced, to: written)
        if synced {
            consumer.pointee.synced = written
        } else {
            syncFailures.wrappingIncrement(ordering: .relaxed)
        }
        return synced
    }

    /// Producer only. For a ring opened with `SyncMode.eachPublish`: until `syncDeferred()`,
    /// `publish()` does not msync, so one msync covers a group of messages (group commit). The
    /// caller must call `syncDeferred()` before anything that acknowledges them (the MQTT loop
    /// writing PUBACKs). No effect on other rings.
    public func deferSyncs() {
        producer.pointee.deferring = syncsEachPublish
    }

    /// Producer only. Ends `deferSyncs()`: msyncs every record published since the last sync, so
    /// they are on stable storage when it returns. O(1) and no system call when nothing is pending
    /// or the ring was not opened with `SyncMode.eachPublish`.
    public func syncDeferred() {
        guard producer.pointee.deferring else { return }
        producer.pointee.deferring = false
        syncProducerRecords()
    }

    /// Producer only. msyncs the records published since the producer's last sync.
    func syncProducerRecords() {
        let published = producer.pointee.published
        guard published != producer.pointee.synced else { return }
        if !syncToStorage(from: producer.pointee.synced, to: published) {
            syncFailures.wrappingIncrement(ordering: .relaxed)
        }
        producer.pointee.synced = published
    }

    /// Any thread. msync calls of the ring file that failed since it was opened: records the
    /// broker considers delivered that may not survive a power cut.
    public var syncFailureCount: Int { syncFailures.load(ordering: .relaxed) }

    /// The page size msync's and madvise's addresses must be aligned to.
    static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// msyncs the data pages holding positions `from..<to`, then the page holding the indices,
    /// so a write index on disk never covers records that are not. Returns false on an error.
    func syncToStorage(from: Int, to: Int) -> Bool {
        var succeeded = true
        if to > from {
            let start = from & mask
            let count = min(to - from, capacityBytes)
            let firstPart = min(count, capacityBytes - start)
            succeeded = msyncRange(from: Self.controlBytes + start, count: firstPart) && succeeded
            if count > firstPart {
                succeeded = msyncRange(from: Self.controlBytes, count: count - firstPart) && succeeded
            }
        }
        return msyncRange(from: 0, count: Self.controlBytes) && succeeded
    }

    /// msync(MS_SYNC) of bytes `from..<from + count` of the mapping, widened to pages.
    private func msyncRange(from: Int, count: Int) -> Bool {
        let start = from & ~(Self.pageBytes - 1)
        return fileSystem.syncMapped(block + start, length: from + count - start) == 0
    }
}
