#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an operation on a segmented JSON Lines log failed, worded for an operator:
/// the file, what was being done, and the system's reason.
public enum LogError: Error, Equatable, CustomStringConvertible {
    /// The file system holding `path` is full (`ENOSPC`) or the quota is used up (`EDQUOT`).
    /// Nothing is lost: unwritten lines stay in memory and the next flush retries, so a caller
    /// can log this once and keep retrying quietly until a flush succeeds.
    case diskFull(SystemCallError)
    /// Any other failed system call (`operation`, e.g. `"fsync"`) on `path`.
    case systemCall(SystemCallError)
    /// Another process holds the write lock on the current segment `path`: two writers on
    /// one log would interleave lines and clash over rotated names.
    case locked(path: String)
    /// `baseName` cannot name a log: it must be non-empty and contain no `/` or NUL.
    case invalidBaseName(String)
    /// The line given to `append` contains a newline at `byteOffset`, which would split one
    /// record into two lines of the log at `path`.
    case lineContainsNewline(path: String, byteOffset: Int)
    /// Rotation found `path` already present and refused to overwrite it; something other
    /// than this writer creates files named like this log's rotated segments.
    case segmentExists(path: String)

    /// `operation` on `path` failed with `ENOSPC` or `EDQUOT`.
    public static func diskFull(path: String, operation: String, errno: Int32) -> LogError {
        .diskFull(SystemCallError(path: path, operation: operation, errno: errno))
    }

    /// `operation` on `path` failed with `errno`.
    public static func systemCall(path: String, operation: String, errno: Int32) -> LogError {
        .systemCall(SystemCallError(path: path, operation: operation, errno: errno))
    }

    /// The message for logs and the command line.
    public var description: String {
        switch self {
        case let .diskFull(failure):
            return "\(failure.path): \(failure.operation) failed, disk full: \(Self.reason(failure.errno)) "
                + "(errno \(failure.errno)); unwritten lines are kept in memory and written by the next successful flush"
        case let .systemCall(failure):
            return failure.description
        case let .locked(path):
            return "\(path): another process is writing this log (it holds the write lock); "
                + "run one writer per log directory and base name"
        case let .invalidBaseName(name):
            return "log base name \"\(name)\" is invalid: expected a non-empty file name without '/' or NUL"
        case let .lineContainsNewline(path, offset):
            return "\(path): refused a line with a newline at byte \(offset); "
                + "each record must be exactly one line (escape newlines inside JSON strings as \\n)"
        case let .segmentExists(path):
            return "\(path): a rotated segment of this name already exists; refusing to overwrite it "
                + "(is another program writing files named like this log?)"
        }
    }

    /// The C library's text for `code`, e.g. "No space left on device".
    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The error for a system call that failed with `code`: `diskFull` for `ENOSPC`/`EDQUOT`.
    static func failure(_ operation: String, path: String, errno code: Int32) -> LogError {
        code == ENOSPC || code == EDQUOT
            ? .diskFull(path: path, operation: operation, errno: code)
            : .systemCall(path: path, operation: operation, errno: code)
    }

    /// Runs a system call that returns -1 and sets `errno` on failure, retrying on `EINTR`;
    /// returns its result or throws the matching error. Not for `close`, which must not be retried.
    @discardableResult
    static func check<Result: BinaryInteger>(
        _ operation: String, path: String, _ call: () -> Result
    ) throws(LogError) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw failure(operation, path: path, errno: code) }
        }
    }
}
