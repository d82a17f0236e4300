/// What the engine's thread is doing, so that a watchdog can say where it is stuck when storage
/// stops answering.
public enum EnginePhase: Int, Sendable {
    case ingesting, flushingLogs, checkpointing, syncingRing, writingStatus

    /// The phase in words, for a log line.
    public var description: String {
        switch self {
        case .ingesting: "ingesting a batch (closing windows writes the logs)"
        case .flushingLogs: "flushing the rollup and quarantine logs"
        case .checkpointing: "writing the checkpoint"
        case .syncingRing: "syncing the write-ahead ring"
        case .writingStatus: "writing status.json"
        }
    }
}
