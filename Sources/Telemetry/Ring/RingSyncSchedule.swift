/// Forces the write-ahead ring to stable storage on the rollup log's fsync schedule, so a power
/// cut loses at most `fsync_interval` of acknowledged messages, and reports failed msyncs.
///
/// With `fsync: always` the MQTT thread syncs each message itself (`SyncMode.eachPublish`);
/// with `never` nothing is synced. Either way failures are reported here, on the pipeline thread.
struct RingSyncSchedule {
    /// The ring's sync mode for a rollup log fsync policy.
    static func mode(for policy: FsyncPolicy) -> MessageRing.SyncMode {
        switch policy {
        case .always: .eachPublish
        case .interval: .periodic
        case .never: .never
        }
    }

    private let intervalMillis: Int64?
    private let ringPath: String
    private let observer: EngineObserver
    private var lastMillis: Int64 = 0
    private var reportedFailures = 0

    init(policy: FsyncPolicy, ringPath: String, observer: EngineObserver) {
        if case .interval(let milliseconds) = policy {
            intervalMillis = milliseconds
        } else {
            intervalMillis = nil
        }
        self.ringPath = ringPath
        self.observer = observer
    }

    /// Pipeline thread: syncs the ring if the interval has passed, then logs new failures.
    mutating func tick(nowMillis: Int64, ring: MessageRing) {
        if let intervalMillis, nowMillis - lastMillis >= intervalMillis {
            ring.syncPublished()
            lastMillis = nowMillis
        }
        let failures = ring.syncFailureCount
        if failures > reportedFailures {
            observer.record(
                EngineEvent(
                    .error,
                    """
                    msync of the write-ahead ring \(ringPath) failed (\(failures) times since start): messages already \
                    acknowledged to the broker may not survive a power cut; check the disk
                    """))
            reportedFailures = failures
        }
    }
}
