// Every file operation of the durable storage (rollup and quarantine logs, checkpoints, the
// write-ahead ring) goes through this protocol, so that a test can put a file system that
// simulates power cuts underneath them (Tests/TelemetryTests/PowerCut, modelled on SQLite's
// crash-test VFS). The gateway uses `PosixFileSystem`, the default everywhere, which calls the
// C library directly.
//
// The methods keep POSIX's conventions — an Int32 descriptor, -1 (or nil) on failure with the
// reason in `errno`, partial writes — rather than throwing, so the storage code keeps its error
// handling (retry on EINTR, ENOSPC reported as disk full, never repeating a partial write) and
// changed only in which function it calls. Only what the storage code uses is here.
//
// Cost: a call through an existential is a few nanoseconds against a system call's
// microseconds, and every method is a system call. The ring's per-message path (stage,
// publish) makes none: records are plain stores into the mapping; only its msyncs, once per
// publish group or interval, come here.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations of the gateway's durable storage, with POSIX semantics: methods return
/// -1 (or nil) on failure and set `errno`.
///
/// Implementations must be safe to call from several threads (the checkpoint store runs on its
/// own thread); a descriptor is used by one thread at a time.
public protocol FileSystem: Sendable {
    /// `open(2)`: a descriptor, or -1. Flags used: `O_RDONLY`, `O_WRONLY`, `O_RDWR`, `O_CREAT`,
    /// `O_TRUNC`, `O_APPEND`, `O_DIRECTORY`, `O_CLOEXEC` (a directory is opened only to fsync it).
    func open(_ path: String, flags: Int32, mode: mode_t) -> Int32
    /// `close(2)`. Never retried on `EINTR` (Linux releases the descriptor anyway).
    func close(_ descriptor: Int32) -> Int32
    /// `write(2)` at the descriptor's offset (the end for `O_APPEND`): bytes written (possibly
    /// fewer than given), or -1.
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    /// `pread(2)`: bytes read at `offset` (0 at the end of the file), or -1.
    func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int
    /// `fsync(2)` of a file (its data and size) or of a directory (its entries: names created,
    /// renamed, linked or removed in it).
    func fsync(_ descriptor: Int32) -> Int32
    /// `ftruncate(2)`.
    func ftruncate(_ descriptor: Int32, length: Int64) -> Int32
    /// `posix_fallocate(3)`: reserves blocks for `offset..<offset + length`; unlike the C
    /// function it returns -1 and sets `errno` on failure.
    func fallocate(_ descriptor: Int32, offset: Int64, length: Int64) -> Int32
    /// `flock(2)`.
    func flock(_ descriptor: Int32, _ operation: Int32) -> Int32
    /// `fstat(2)`: what the storage code needs of it, or nil.
    func status(ofDescriptor descriptor: Int32) -> FileStatus?
    /// `stat(2)`: what the storage code needs of it, or nil (`ENOENT` when nothing is there).
    func status(ofPath path: String) -> FileStatus?
    /// `mkdir(2)`.
    func mkdir(_ path: String, mode: mode_t) -> Int32
    /// `rename(2)`: atomically replaces `target` if it exists.
    func rename(_ source: String, to target: String) -> Int32
    /// `link(2)`: a second name for the file at `source`.
    func link(_ source: String, to target: String) -> Int32
    /// `unlink(2)`.
    func unlink(_ path: String) -> Int32
    /// The names in a directory, without `.` and `..`, in no particular order; nil on failure.
    func directoryEntries(atPath path: String) -> [String]?
    /// `mmap(2)` of the first `length` bytes of the file, readable, writable and `MAP_SHARED`;
    /// nil on failure. Stores into it reach the file without further calls (the page cache).
    func mapShared(_ descriptor: Int32, length: Int) -> UnsafeMutableRawPointer?
    /// `munmap(2)` of a whole mapping made by `mapShared`.
    func unmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32
    /// `msync(2)` with `MS_SYNC` of a page-aligned range of a mapping: returns once those pages
    /// (and the file's size) are on stable storage.
    func syncMapped(_ address: UnsafeMutableRawPointer, length: Int) -> Int32
    /// `madvise(2)` with `MADV_DONTNEED` of a page-aligned range of a shared mapping: the pages
    /// leave the process's resident set; their contents stay in the file.
    func releaseMappedPages(_ address: UnsafeMutableRawPointer, length: Int) -> Int32
}

extension FileSystem {
    /// Opens the directory at `path` and fsyncs it, so that names created, renamed or removed in
    /// it survive a power cut. Returns 0, or -1 with `errno` from whichever call failed.
    public func syncDirectory(_ path: String) -> Int32 {
        let descriptor = open(path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
        guard descriptor >= 0 else { return -1 }
        let result = fsync(descriptor)
        let code = errno
        _ = close(descriptor)
        errno = code
        return result
    }
}
