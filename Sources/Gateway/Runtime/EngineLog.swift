import Logging
import Telemetry

/// The gateway's `EngineObserver`: engine events go to the log at their level, phases to the
/// stall watchdog, snapshots to the status reporter and the HTTP API's board. Called on the engine thread only.
final class EngineLog: EngineObserver {
    private let logger: Logger
    private let status: StatusReporter
    private let watchdog: StallWatchdog
    private let board: SnapshotBoard

    init(logger: Logger, status: StatusReporter, watchdog: StallWatchdog, board: SnapshotBoard) {
        self.logger = logger
        self.status = status
        self.watchdog = watchdog
        self.board = board
    }

    func record(_ event: EngineEvent) {
        Self.log(event, to: logger)
    }

    /// Logs `event` at its level; also for the query index writer's events.
    static func log(_ event: EngineEvent, to logger: Logger) {
        let level: Logger.Level =
            switch event.level {
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            }
        logger.log(level: level, "\(event.message)", metadata: event.metadata.mapValues { .string($0) })
    }

    func entering(_ phase: EnginePhase) {
        watchdog.mark(phase)
    }

    func tick(_ snapshot: EngineSnapshot) {
        board.post(snapshot)
        status.report(snapshot)
    }
}
