/// Takes checkpoints on the pipeline thread, has `CheckpointStoreThread` store them, and frees
/// the write-ahead ring up to each one once it is stored.
///
/// A checkpoint is taken every `intervalMillis`, whenever half of the ring waits for one, and at
/// shutdown. Half, not less: at 100 MB/s of messages a quarter of a 32 MiB ring made 12
/// checkpoints a second, a third of the pipeline thread's time (perf); the other half of the
/// ring still holds over 300 ms of traffic while one is stored. It needs both logs flushed
/// (their end positions are part of it), so none is taken while storage fails: the ring then
/// fills and back-pressure reaches the broker. One checkpoint is stored at a time; the ring is
/// freed only once it is (a crash meanwhile recovers from the one before).
final class CheckpointKeeper {
    var path: String { store.path }
    private let intervalMillis: Int64
    private let sync: Bool
    private let observer: EngineObserver
    private let pipeline: IngestPipeline
    private let ring: MessageRing
    private let sink: LogSink
    private let store: CheckpointStoreThread
    private var lastMillis: Int64 = 0
    private var failing = false
    /// Reused for every checkpoint: with 100,000 series the state is ~24 MB, and a fresh array
    /// per checkpoint (plus a copy to prepend the header) made RSS spike by twice that.
    private var buffer = CheckpointWriter()
    /// The checkpoint the store thread is writing: its ring position, when it was taken, and
    /// when it was last reported as slow.
    private var inFlight: (position: Int, takenAtMillis: Int64, reportedAtMillis: Int64)?
    /// Log positions of the checkpoint being stored, and of the last two stored by this process
    /// (oldest first): the one before the last is `checkpoint.previous`, recovery's fallback,
    /// so log retention keeps every segment it may need.
    private var inFlightLogs: (rollups: LogPosition, quarantine: LogPosition)?
    private var storedLogs: [(rollups: LogPosition, quarantine: LogPosition)] = []
    /// Checkpoints stored since start.
    private(set) var count = 0

    /// A store that takes longer than this is logged (storage stalling), then every 30 s.
    static let slowStoreMillis: Int64 = 5_000

    /// `sync`: fsync the logs before each checkpoint, so that what it says is on disk is. The
    /// checkpoint itself is fsynced whatever `sync` says (one fsync per checkpoint, on the store
    /// thread): under `fsync: never` a power cut otherwise damaged both copies in most
    /// simulated cuts, and the gateway could not start without an operator deleting them.
    init(
        path: String, intervalMillis: Int64, sync: Bool, pipeline: IngestPipeline, ring: MessageRing, sink: LogSink,
        observer: EngineObserver
    ) {
        self.pipeline = pipeline
        self.ring = ring
        self.sink = sink
        self.intervalMillis = intervalMillis
        self.sync = sync
        self.observer = observer
        self.store = CheckpointStoreThread(path: path, sync: true)
    }

    /// Frees the ring up to a checkpoint whose store finished, then takes a new checkpoint if
    /// one is due and none is being stored, handing it to the store thread. With `force`
    /// (start and shutdown) it waits for the store in flight, then stores the new one before
    /// returning. Returns whether a checkpoint was stored (`force`) or handed over.
    @discardableResult
    func takeIfDue(nowMillis: Int64, force: Bool = false) -> Bool {
        if let pending = inFlight {
            guard let outcome = force ? store.wait() : store.poll() else {
                reportSlowStore(nowMillis: nowMillis)
                return false
            }
            inFlight = nil
            finish(outcome, position: pending.position, takenAtMillis: pending.takenAtMillis, nowMillis: nowMillis)
        }
        let due = force || nowMillis - lastMillis >= intervalMillis || ring.unreleasedBytes >= ring.capacityBytes / 2
        guard due, ring.unreleasedBytes > 0 || force || count == 0 else { return false }
        sink.flush(nowMillis: nowMillis)
        guard !sink.isFailing else { return false }
        if sync {
            // A failed fsync leaves lines the checkpoint would say are on disk perhaps not there.
            sink.sync()
            guard !sink.isFailing else { return false }
        }
        let position = ring.consumedPosition
        inFlightLogs = (sink.rollups.position, sink.quarantine.position)
        buffer.removeAll()
        IngestCheckpoint.writeHeader(
            ringPosition: position, rollupLog: sink.rollups.position,
            quarantineLog: sink.quarantine.position, createdAtMillis: nowMillis, to: &buffer)
        pipeline.writeCheckpointState(to: &buffer)
        lastMillis = nowMillis
        store.submit(buffer.bytes)
        guard force else {
            inFlight = (position, nowMillis, nowMillis)
            return true
        }
        return finish(store.wait(), position: position, takenAtMillis: nowMillis, nowMillis: nowMillis)
    }

    /// Ends the store thread (after the last `takeIfDue(force: true)`).
    func stop() {
        store.stop()
    }

    /// Frees the ring up to a stored checkpoint, or logs why it could not be stored (once per
    /// episode; the ring stays as it is and the next checkpoint tries again).
    @discardableResult
    private func finish(_ outcome: Result<Void, CheckpointError>, position: Int, takenAtMillis: Int64, nowMillis: Int64) -> Bool {
        switch outcome {
        case .failure(let error):
            if !failing {
                failing = true
                observer.record(
                    EngineEvent(
                        .error, "cannot write checkpoint \(path): \(error); not freeing the write-ahead ring until it works"))
            }
            return false
        case .success:
            if failing {
                failing = false
                observer.record(EngineEvent(.notice, "checkpoint \(path) is written again"))
            }
            if nowMillis - takenAtMillis >= Self.slowStoreMillis {
                observer.record(EngineEvent(.notice, "checkpoint \(path) stored after \((nowMillis - takenAtMillis) / 1000) s"))
            }
            ring.release(through: position)
            count += 1
            if let logs = inFlightLogs {
                storedLogs = Array((storedLogs + [logs]).suffix(2))
                inFlightLogs = nil
            }
            if storedLogs.count == 2 {
                sink.applyRetention(
                    keepingRollupsFrom: storedLogs[0].rollups, quarantineFrom: storedLogs[0].quarantine,
                    nowMillis: nowMillis)
            }
            return true
        }
    }

    private func reportSlowStore(nowMillis: Int64) {
        guard let pending = inFlight, nowMillis - pending.takenAtMillis >= Self.slowStoreMillis,
            pending.reportedAtMillis == pending.takenAtMillis || nowMillis - pending.reportedAtMillis >= 30_000
        else { return }
        inFlight?.reportedAtMillis = nowMillis
        observer.record(
            EngineEvent(
                .warning,
                """
                storing checkpoint \(path) has taken \((nowMillis - pending.takenAtMillis) / 1000) s so far (storage slow?); \
                the write-ahead ring is not freed meanwhile
                """))
    }
}
