import Dispatch
import Synchronization

/// Part of a query's scan offered to `ScanHelpers`: a helper runs it, or, when none has started
/// it by the time the query's own part is done, the query takes it back and runs it itself.
/// So a query never waits behind another query's share, only for a share already running.
///
/// States: offered → running → done (a helper), or offered → taken back (the query). The two
/// transitions out of `offered` are made under the lock, so exactly one side runs the work.
final class ScanShare<Value: Sendable>: Sendable {
    private enum State: Sendable {
        case offered
        case running
        case takenBack
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.offered)
    private let finished = DispatchSemaphore(value: 0)
    private let work: @Sendable () throws -> Value

    init(_ work: @escaping @Sendable () throws -> Value) {
        self.work = work
    }

    /// Helper thread: runs the work unless the query took it back; true when it ran it.
    @discardableResult
    func runIfOffered() -> Bool {
        let start = state.withLock { state -> Bool in
            guard case .offered = state else { return false }
            state = .running
            return true
        }
        guard start else { return false }
        let result = Result { try work() }
        state.withLock { $0 = .done(result) }
        finished.signal()
        return true
    }

    /// Query thread: takes the work back if no helper has started it; true when it did, and the
    /// query must do that part itself.
    func takeBack() -> Bool {
        state.withLock { state in
            guard case .offered = state else { return false }
            state = .takenBack
            return true
        }
    }

    /// Query thread, after `takeBack` returned false: waits for the helper's result.
    func result() throws -> Value {
        finished.wait()
        let outcome = state.withLock { state -> Result<Value, any Error>? in
            guard case .done(let outcome) = state else { return nil }
            return outcome
        }
        guard let outcome else { preconditionFailure("a scan share signalled before it was done") }
        return try outcome.get()
    }
}
