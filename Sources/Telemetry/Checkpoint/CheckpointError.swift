/// Why a checkpoint could not be written or read, with the path or offset involved.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case invalid(String, offset: Int)
    /// A system call on the checkpoint file failed.
    case file(SystemCallError)
    case mismatch(path: String, detail: String)

    /// `operation` on `path` failed with `errno`.
    public static func file(path: String, operation: String, errno: Int32) -> CheckpointError {
        .file(SystemCallError(path: path, operation: operation, errno: errno))
    }

    public var description: String {
        switch self {
        case .truncated(let offset): return "checkpoint ends early at byte \(offset)"
        case .invalid(let detail, let offset): return "checkpoint is damaged at byte \(offset): \(detail)"
        case .file(let failure): return failure.description
        case .mismatch(let path, let detail): return "\(path): \(detail)"
        }
    }
}
