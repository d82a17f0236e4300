/// When an append-only log forces its data to stable storage.
public enum FsyncPolicy: Sendable, Equatable {
    /// After every appended batch: slowest, survives power loss with nothing lost.
    case always
    /// At most this many milliseconds after a write: the default (1 s).
    case interval(milliseconds: Int64)
    /// Leave it to the kernel: survives a process crash, not a power loss.
    case never
}
