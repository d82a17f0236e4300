/// Where the engine reports, so that the library needs no logging backend or status format:
/// the gateway logs events, feeds its stall watchdog and renders status from snapshots.
///
/// Every method is called on the engine's thread (or, before `IngestEngine.start`, on the thread
/// that opens it), so an observer needs no locking of its own for what only these calls touch.
public protocol EngineObserver: AnyObject {
    /// Something an operator should know (see `EngineEvent`).
    func record(_ event: EngineEvent)
    /// The engine thread is about to start `phase`: a few times per tick, so keep it cheap.
    func entering(_ phase: EnginePhase)
    /// The state after a tick (every ~50 ms, and every retry while storage fails), and once more
    /// after the engine stopped (`snapshot.stopped`).
    func tick(_ snapshot: EngineSnapshot)
}
