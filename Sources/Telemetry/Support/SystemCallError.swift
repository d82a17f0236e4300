#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A system call on a file failed: which call, on which path, and the system's reason, worded
/// for an operator ("/data/ingest.inflight: mmap failed: Cannot allocate memory (errno 12)").
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
    public var path: String
    /// The call that failed, e.g. `"fsync"`.
    public var operation: String
    public var errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(path): \(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
