import Synchronization
import Telemetry

/// An `EngineObserver` that keeps what the engine reports: events as "level: message", phases
/// entered, and the last snapshot.
final class RecordingObserver: EngineObserver, Sendable {
    private struct Reports {
        var events: [String] = []
        var phases: [EnginePhase] = []
        var snapshots = 0
        var last: EngineSnapshot?
    }

    private let reports = Mutex(Reports())

    /// Every event so far, as "level: message".
    var events: [String] { reports.withLock { $0.events } }
    /// The last snapshot reported (after a stop: the final one).
    var lastSnapshot: EngineSnapshot? { reports.withLock { $0.last } }
    var snapshotCount: Int { reports.withLock { $0.snapshots } }

    func record(_ event: EngineEvent) {
        reports.withLock { $0.events.append("\(event.level): \(event.message)") }
    }

    func entering(_ phase: EnginePhase) {
        reports.withLock { if $0.phases.last != phase { $0.phases.append(phase) } }
    }

    func tick(_ snapshot: EngineSnapshot) {
        reports.withLock {
            $0.snapshots += 1
            $0.last = snapshot
        }
    }
}
