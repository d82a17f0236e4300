import Foundation
import Synchronization

/// A one-way "stop publishing" flag, set by SIGINT/SIGTERM (or a test) and polled by the loop.
/// Sendable for real: its only state is an atomic, and setting it is async-signal-safe.
final class StopSignal: Sendable {
    /// The flag the process's signal handlers set.
    static let process = StopSignal()

    private let requested = Atomic<Bool>(false)

    /// Creates a flag that is not set.
    init() {}

    /// Whether a stop was requested.
    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Requests a stop; idempotent.
    func request() {
        requested.store(true, ordering: .releasing)
    }

    /// Routes SIGINT and SIGTERM to `StopSignal.process` instead of killing the process, so the
    /// run can drain acknowledgements and close the ledger. Also unblocks both on the calling
    /// thread (and so on the threads it starts later): a parent that spawned the simulator from
    /// a libdispatch worker thread passes them on blocked.
    static func installProcessHandlers() {
        _ = process.isRequested  // initialise the static before a handler can touch it
        signal(SIGINT) { _ in StopSignal.process.request() }
        signal(SIGTERM) { _ in StopSignal.process.request() }
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
