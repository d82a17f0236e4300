// The C library's calls are reached through file-scope wrappers: inside the struct, `open`,
// `close`, `write`… name its own methods.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real file system: each method is the system call of the same name, nothing more (the
/// requirements of `FileSystem` document them). The default `FileSystem` of every storage type.
public struct PosixFileSystem: FileSystem {
    /// The file system of this process; it holds no state.
    public init() {}

    public func open(_ path: String, flags: Int32, mode: mode_t) -> Int32 { cOpen(path, flags, mode) }
    public func close(_ descriptor: Int32) -> Int32 { cClose(descriptor) }
    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        cWrite(descriptor, bytes.baseAddress, bytes.count)
    }
    public func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        cPread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
    }
    public func fsync(_ descriptor: Int32) -> Int32 { cFsync(descriptor) }
    public func ftruncate(_ descriptor: Int32, length: Int64) -> Int32 { cFtruncate(descriptor, off_t(length)) }
    public func fallocate(_ descriptor: Int32, offset: Int64, length: Int64) -> Int32 {
        let code = posix_fallocate(descriptor, off_t(offset), off_t(length))
        guard code == 0 else {
            errno = code
            return -1
        }
        return 0
    }
    public func flock(_ descriptor: Int32, _ operation: Int32) -> Int32 { cFlock(descriptor, operation) }
    public func status(ofDescriptor descriptor: Int32) -> FileStatus? {
        var info = stat()
        guard cFstat(descriptor, &info) == 0 else { return nil }
        return FileStatus(info)
    }
    public func status(ofPath path: String) -> FileStatus? {
        var info = stat()
        guard cStat(path, &info) == 0 else { return nil }
        return FileStatus(info)
    }
    public func mkdir(_ path: String, mode: mode_t) -> Int32 { cMkdir(path, mode) }
    public func rename(_ source: String, to target: String) -> Int32 { cRename(source, target) }
    public func link(_ source: String, to target: String) -> Int32 { cLink(source, target) }
    public func unlink(_ path: String) -> Int32 { cUnlink(path) }
    public func directoryEntries(atPath path: String) -> [String]? {
        guard let stream = opendir(path) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                return errno == 0 ? names : nil
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
    public func mapShared(_ descriptor: Int32, length: Int) -> UnsafeMutableRawPointer? {
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            return nil
        }
        return mapped
    }
    public func unmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 { munmap(address, length) }
    public func syncMapped(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 { msync(address, length, MS_SYNC) }
    public func releaseMappedPages(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 {
        madvise(address, length, MADV_DONTNEED)
    }
}

extension FileStatus {
    init(_ info: stat) {
        self.init(
            size: Int64(info.st_size), device: UInt64(truncatingIfNeeded: info.st_dev),
            inode: UInt64(truncatingIfNeeded: info.st_ino), isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
    }
}

private func cOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func cClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func cWrite(_ descriptor: Int32, _ base: UnsafeRawPointer?, _ count: Int) -> Int { write(descriptor, base, count) }
private func cPread(_ descriptor: Int32, _ base: UnsafeMutableRawPointer?, _ count: Int, _ offset: off_t) -> Int {
    pread(descriptor, base, count, offset)
}
private func cFsync(_ descriptor: Int32) -> Int32 { fsync(descriptor) }
private func cFtruncate(_ descriptor: Int32, _ length: off_t) -> Int32 { ftruncate(descriptor, length) }
private func cFlock(_ descriptor: Int32, _ operation: Int32) -> Int32 { flock(descriptor, operation) }
private func cFstat(_ descriptor: Int32, _ info: inout stat) -> Int32 { fstat(descriptor, &info) }
private func cStat(_ path: String, _ info: inout stat) -> Int32 { stat(path, &info) }
private func cMkdir(_ path: String, _ mode: mode_t) -> Int32 { mkdir(path, mode) }
private func cRename(_ source: String, _ target: String) -> Int32 { rename(source, target) }
private func cLink(_ source: String, _ target: String) -> Int32 { link(source, target) }
private func cUnlink(_ path: String) -> Int32 { unlink(path) }
