/// Why a checkpoint could not be written or read, with the path or offset involved.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case invalid(String, offset: Int)
    case file(path: String, operation: String, errno: Int32)
    case mismatch(path: String, detail: String)

    public var description: String {
        switch self {
        case .truncated(let offset): return "checkpoint ends early at byte \(offset)"
        case .invalid(let detail, let offset): return "checkpoint is damaged at byte \(offset): \(detail)"
        case .file(let path, let operation, let code): return "\(path): \(operation) failed (errno \(code))"
        case .mismatch(let path, let detail): return "\(path): \(detail)"
        }
    }
}
