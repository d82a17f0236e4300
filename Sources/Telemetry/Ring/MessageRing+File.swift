// The ring as a write-ahead log: backed by a file mapped MAP_SHARED, every record the MQTT
// callback publishes is in the kernel's page cache before the callback returns, so it survives
// a crash of the process (kill -9) without an fsync. (A power cut is not covered: pages reach
// the disk in any order; that needs msync and per-record checksums — docs/crash-consistency.md.)
//
// In this mode the consumer does not free space as it reads: `release(through:)` frees it only
// up to a position whose effects are durable (a checkpoint). Reopening the file restores the
// published write index and the released read index, so the consumer starts again at the first
// record not covered by a checkpoint and replays everything after it. A record staged but not
// published when the process died is beyond the write index and is ignored: the write index is
// the commit marker.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MessageRing {
    /// Identifies a ring file and the layout it was written with (line 5 of the block).
    struct FileHeader {
        static let magic: UInt64 = 0x3130_474E_4952_4754  // "TGRING01", little-endian
        static let version: UInt64 = 1
        var magic = FileHeader.magic
        var version = FileHeader.version
        var capacityBytes: UInt64

        init(capacityBytes: Int) {
            self.capacityBytes = UInt64(capacityBytes)
        }
    }

    /// Why a ring file could not be opened, with the path and what to do.
    public enum FileError: Error, Equatable, CustomStringConvertible {
        case system(path: String, operation: String, errno: Int32)
        case locked(path: String)
        case capacityChanged(path: String, fileCapacity: Int, requested: Int, unconsumedBytes: Int)
        case corrupt(path: String, detail: String)

        public var description: String {
            switch self {
            case .system(let path, let operation, let code):
                return "\(path): \(operation) failed: \(String(cString: strerror(code)))"
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

    /// Opens (or creates) a file-backed ring at `path` with `capacityBytes` of records,
    /// restoring the records published and not yet released by an earlier process.
    /// An existing file with another capacity is recreated only when it holds nothing unreleased.
    public static func openFile(atPath path: String, capacityBytes: Int) throws(FileError) -> MessageRing {
        checkCapacity(capacityBytes)
        let total = controlBytes + capacityBytes
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            closeDescriptor(fd)
            throw .locked(path: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            closeDescriptor(fd)
            throw .system(path: path, operation: "fstat", errno: code)
        }
        var restoring: (write: Int, read: Int)?
        if info.st_size > 0 {
            do {
                restoring = try readIndices(fd: fd, path: path, size: Int(info.st_size), capacityBytes: capacityBytes)
            } catch {
                closeDescriptor(fd)
                throw error
            }
        }
        if Int(info.st_size) != total {
            guard ftruncate(fd, off_t(total)) == 0 else {
                let code = errno
                closeDescriptor(fd)
                throw .system(path: path, operation: "resize to \(total) bytes", errno: code)
            }
        }
        // Reserve every block now: a store into a mapped page the file system cannot back
        // (disk full) would kill the process with SIGBUS instead of returning an error.
        let reserved = posix_fallocate(fd, 0, off_t(total))
        guard reserved == 0 else {
            closeDescriptor(fd)
            throw .system(path: path, operation: "reserve \(total) bytes", errno: reserved)
        }
        guard let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            let code = errno
            closeDescriptor(fd)
            throw .system(path: path, operation: "mmap \(total) bytes", errno: code)
        }
        return MessageRing(block: mapped, capacityBytes: capacityBytes, restoring: restoring, fileDescriptor: fd)
    }

    /// Reads the header and indices of an existing ring file without mapping it.
    /// Returns nil when the file holds nothing unreleased (so it may be reset).
    private static func readIndices(fd: Int32, path: String, size: Int, capacityBytes: Int) throws(FileError) -> (write: Int, read: Int)? {
        var control = [UInt8](repeating: 0, count: controlBytes)
        let got = control.withUnsafeMutableBytes { pread(fd, $0.baseAddress, controlBytes, 0) }
        guard got == controlBytes else { throw .corrupt(path: path, detail: "shorter than its header (\(size) bytes)") }
        let (header, written, read) = control.withUnsafeBytes { raw in
            (raw.load(fromByteOffset: 5 * lineBytes, as: FileHeader.self),
             raw.load(fromByteOffset: 0, as: Int.self),
             raw.load(fromByteOffset: 2 * lineBytes, as: Int.self))
        }
        guard header.magic == FileHeader.magic else { throw .corrupt(path: path, detail: "no ring header") }
        guard header.version == FileHeader.version else {
            throw .corrupt(path: path, detail: "format version \(header.version), expected \(FileHeader.version)")
        }
        let fileCapacity = Int(header.capacityBytes)
        guard written >= read, written - read <= fileCapacity, size == controlBytes + fileCapacity else {
            throw .corrupt(path: path, detail: "indices \(read)…\(written) do not fit a ring of \(fileCapacity) bytes")
        }
        if written == read { return nil }
        guard fileCapacity == capacityBytes else {
            throw .capacityChanged(path: path, fileCapacity: fileCapacity, requested: capacityBytes, unconsumedBytes: written - read)
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
        // Release: the consumer's reads of these records happen before the producer reuses them.
        readIndex.store(position, ordering: .releasing)
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
