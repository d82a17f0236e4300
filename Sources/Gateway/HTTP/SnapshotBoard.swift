import Synchronization
import Telemetry

/// The engine's latest snapshot, posted on every tick, for the HTTP API's `/healthz` and
/// `/metrics`: the same numbers `status.json` is written from.
final class SnapshotBoard: Sendable {
    private let latest = Mutex<EngineSnapshot?>(nil)

    func post(_ snapshot: EngineSnapshot) {
        latest.withLock { $0 = snapshot }
    }

    var snapshot: EngineSnapshot? { latest.withLock { $0 } }
}
