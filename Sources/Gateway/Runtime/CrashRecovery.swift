import Logging
import Telemetry

/// Brings the data directory back to the last checkpoint before the gateway starts, so that
/// replaying the write-ahead ring reflects every message exactly once (docs/crash-consistency.md).
///
/// Two steps, because the logs must be cut back before they are opened for writing and the
/// pipeline can only be restored once it exists.
struct CrashRecovery {
    let dataDirectory: String
    let logger: Logger

    var checkpointPath: String { dataDirectory + "/checkpoint" }

    /// Step 1: loads the checkpoint, if any, and cuts both logs back to where it says they ended.
    func restoreLogs() throws -> IngestCheckpoint? {
        guard let payload = try CheckpointFile.load(from: checkpointPath) else { return nil }
        let checkpoint = try IngestCheckpoint(decoding: payload)
        for (name, position) in [("rollups", checkpoint.rollupLog), ("quarantine", checkpoint.quarantineLog)] {
            let outcome = try LogSegments(directory: dataDirectory + "/" + name, baseName: name).restore(to: position)
            if outcome.bytesRemoved > 0 || outcome.segmentsRemoved > 0 {
                logger.notice("""
                    recovery: removed \(outcome.bytesRemoved) bytes and \(outcome.segmentsRemoved) segment(s) of the \(name) \
                    log written after the last checkpoint; replaying the write-ahead ring writes them again
                    """)
            }
            if outcome.bytesMissing > 0 {
                logger.error("""
                    recovery: the \(name) log lacks \(outcome.bytesMissing) bytes it had at the last checkpoint \
                    (lost by a power cut before fsync); those records cannot be rebuilt
                    """)
            }
        }
        return checkpoint
    }

    /// Step 2: restores the pipeline's state and skips ring records the checkpoint already reflects.
    func restorePipeline(_ checkpoint: IngestCheckpoint?, pipeline: IngestPipeline, ring: MessageRing) throws {
        let start = ring.consumedPosition
        guard let checkpoint else {
            if ring.unreleasedBytes > 0 || ring.usedBytes > 0 {
                logger.warning("""
                    no checkpoint at \(checkpointPath), but the write-ahead ring holds \(ring.usedBytes) bytes: \
                    replaying them into a fresh state (rollups written before may be counted again)
                    """)
            }
            return
        }
        guard checkpoint.ringPosition >= start else {
            throw GatewayRuntimeError(description: """
                \(checkpointPath) is older than the write-ahead ring (it covers the ring up to byte \(checkpoint.ringPosition), \
                the ring was freed up to \(start)): it does not belong to this ring. Move both aside to start empty.
                """)
        }
        try pipeline.restoreState(checkpoint.pipelineState)
        guard ring.skip(through: checkpoint.ringPosition) else {
            throw GatewayRuntimeError(description: """
                \(checkpointPath) points at byte \(checkpoint.ringPosition) of the write-ahead ring, which holds only up to \
                \(ring.consumedPosition): move both aside to start empty
                """)
        }
        let replay = ring.usedBytes - (checkpoint.ringPosition - start)
        logger.notice("""
            recovery: restored the checkpoint of \(UTCTimestamp.string(millis: checkpoint.createdAtMillis)) \
            (\(pipeline.openWindowCount) open windows, \(pipeline.stats.messages) messages so far); \
            replaying \(max(0, replay)) bytes of the write-ahead ring
            """)
    }
}
