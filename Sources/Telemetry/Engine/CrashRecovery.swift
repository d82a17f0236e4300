/// Brings the data directory back to the last checkpoint before the gateway starts, so that
/// replaying the write-ahead ring reflects every message exactly once (docs/crash-consistency.md).
///
/// The steps themselves are `IngestRecovery` (the library, shared with the simulated power-cut
/// test); this type runs them in the gateway's order and reports every repair once to the observer. None needs a
/// manual step.
struct CrashRecovery {
    let dataDirectory: String
    let observer: EngineObserver

    private var steps: IngestRecovery { IngestRecovery(dataDirectory: dataDirectory) }
    var checkpointPath: String { steps.checkpointPath }
    var ringPath: String { steps.ringPath }
    var inflightPath: String { dataDirectory + "/ingest.inflight" }

    /// Step 1: opens the write-ahead ring, reporting records torn by a power cut.
    func openRing(capacityBytes: Int, sync: MessageRing.SyncMode) throws -> MessageRing {
        let ring = try steps.openRing(capacityBytes: capacityBytes, sync: sync)
        if ring.tornBytesDiscarded > 0 {
            observer.record(
                EngineEvent(
                    .warning,
                    """
                    recovery: dropped \(ring.tornBytesDiscarded) bytes at the end of the write-ahead ring \(ringPath) whose \
                    records fail their checksum (torn by a power cut); the broker redelivers what it had not seen acknowledged
                    """))
        }
        return ring
    }

    /// Step 2: loads the checkpoint, if any (the one before it if it is damaged), and cuts both
    /// logs back to where it says they ended.
    func restoreLogs() throws -> IngestCheckpoint? {
        guard let loaded = try steps.loadCheckpoint() else { return nil }
        if let error = loaded.newestError {
            observer.record(EngineEvent(.error, "recovery: \(error); using the checkpoint before it, \(loaded.path)"))
        }
        for (name, outcome) in try steps.restoreLogs(to: loaded.checkpoint) {
            if outcome.bytesRemoved > 0 || outcome.segmentsRemoved > 0 {
                observer.record(
                    EngineEvent(
                        .notice,
                        """
                        recovery: removed \(outcome.bytesRemoved) bytes and \(outcome.segmentsRemoved) segment(s) of the \(name) \
                        log written after the last checkpoint; replaying the write-ahead ring writes them again
                        """))
            }
            if outcome.bytesMissing > 0 {
                observer.record(
                    EngineEvent(
                        .error,
                        """
                        recovery: the \(name) log lacks \(outcome.bytesMissing) bytes it had at the last checkpoint \
                        (lost by a power cut before fsync); those records cannot be rebuilt
                        """))
            }
        }
        return loaded.checkpoint
    }

    /// Step 4: opens the poison guard and reports a record the previous process died inside:
    /// the replay meets it again, and a second death in the same message sets it aside.
    func openPoisonGuard() throws -> PoisonGuard {
        let poisonGuard = try PoisonGuard(path: inflightPath)
        if let crash = poisonGuard.previousCrash {
            observer.record(
                EngineEvent(
                    .error,
                    """
                    recovery: the previous process stopped while ingesting the message at byte \(crash.position) of the \
                    write-ahead ring (received \(UTCTimestamp.string(millis: crash.receivedAtNanos / 1_000_000))); replaying \
                    it: a message that stops the gateway \(PoisonGuard.deathsToPoison) times is quarantined as poison_message
                    """))
        }
        if poisonGuard.ignoredMarkFromAnotherBoot {
            observer.record(
                EngineEvent(
                    .notice,
                    """
                    recovery: the machine restarted (a reboot or a power cut) while a message was being ingested; \
                    not counted as a crash inside that message
                    """))
        }
        return poisonGuard
    }

    /// Step 3: restores the pipeline's state and positions the ring at the first record the
    /// checkpoint does not reflect.
    func restorePipeline(_ checkpoint: IngestCheckpoint?, pipeline: IngestPipeline, ring: MessageRing) throws {
        switch try steps.restorePipeline(checkpoint, pipeline: pipeline, ring: ring) {
        case .noCheckpoint:
            if ring.usedBytes > 0 {
                observer.record(
                    EngineEvent(
                        .warning,
                        """
                        no checkpoint at \(checkpointPath), but the write-ahead ring holds \(ring.usedBytes) bytes: \
                        replaying them into a fresh state (rollups written before may be counted again)
                        """))
            }
            return
        case .resumed:
            break
        case .rewound(let position, let freed):
            // The ring's header reached the disk after a checkpoint that did not (fsync: never
            // and a power cut), or the checkpoint was replaced by an older copy.
            observer.record(
                EngineEvent(
                    .notice,
                    """
                    recovery: \(checkpointPath) is older than the write-ahead ring's free position (byte \
                    \(position) < \(freed)); the records in between are still intact and are replayed
                    """))
        case .overwritten(let position, let freed):
            observer.record(
                EngineEvent(
                    .error,
                    """
                    recovery: \(checkpointPath) is older than the write-ahead ring's free position (byte \
                    \(position) < \(freed)) and the \(freed - position) bytes of records in \
                    between are overwritten: their readings are lost (devices sending seq show them as seq_missing); \
                    continuing from the checkpoint
                    """))
        case .torn(let position, let intactEnd):
            observer.record(
                EngineEvent(
                    .error,
                    """
                    recovery: \(checkpointPath) covers the write-ahead ring up to byte \(position), but the \
                    ring holds intact records only up to \(intactEnd) (a power cut tore them after the \
                    checkpoint was written); continuing from there
                    """))
        }
        guard let checkpoint else { return }
        observer.record(
            EngineEvent(
                .notice,
                """
                recovery: restored the checkpoint of \(UTCTimestamp.string(millis: checkpoint.createdAtMillis)) \
                (\(pipeline.openWindowCount) open windows, \(pipeline.stats.messages) messages so far); \
                replaying \(ring.usedBytes - ring.unreleasedBytes) bytes of the write-ahead ring
                """))
    }
}
