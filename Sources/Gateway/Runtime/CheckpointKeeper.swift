import Logging
import Telemetry

/// Takes checkpoints on the pipeline thread and then frees the write-ahead ring up to them.
///
/// A checkpoint is taken every `intervalMillis`, whenever half of the ring waits for one, and at
/// shutdown. Half, not less: at 100 MB/s of messages a quarter of a 32 MiB ring made 12
/// checkpoints a second, a third of the pipeline thread's time (perf); the other half of the
/// ring still holds over 300 ms of traffic while one is written. It needs both logs flushed (their end positions are part of it), so none
/// is taken while storage fails: the ring then fills and back-pressure reaches the broker.
final class CheckpointKeeper {
    let path: String
    private let intervalMillis: Int64
    private let sync: Bool
    private let logger: Logger
    private var lastMillis: Int64 = 0
    private var failing = false
    /// Reused for every checkpoint: with 100,000 series the state is ~30 MB, and a fresh array
    /// per checkpoint (plus a copy to prepend the header) made RSS spike by twice that.
    private var buffer = CheckpointWriter()
    /// Checkpoints written since start.
    private(set) var count = 0

    /// `sync`: fsync the checkpoint (and the logs before it) so it also survives a power cut.
    init(path: String, intervalMillis: Int64, sync: Bool, logger: Logger) {
        self.path = path
        self.intervalMillis = intervalMillis
        self.sync = sync
        self.logger = logger
    }

    /// Takes a checkpoint if one is due (or `force`), returning whether one was written.
    @discardableResult
    func takeIfDue(nowMillis: Int64, pipeline: IngestPipeline, ring: MessageRing, sink: LogSink, force: Bool = false) -> Bool {
        let due = force || nowMillis - lastMillis >= intervalMillis || ring.unreleasedBytes >= ring.capacityBytes / 2
        guard due, ring.unreleasedBytes > 0 || force || count == 0 else { return false }
        sink.flush(nowMillis: nowMillis)
        guard !sink.isFailing else { return false }
        if sync { sink.sync() }
        let position = ring.consumedPosition
        buffer.removeAll()
        IngestCheckpoint.writeHeader(ringPosition: position, rollupLog: sink.rollups.position,
                                     quarantineLog: sink.quarantine.position, createdAtMillis: nowMillis, to: &buffer)
        pipeline.writeCheckpointState(to: &buffer)
        do {
            try CheckpointFile.store(buffer.bytes, to: path, sync: sync)
        } catch {
            if !failing {
                failing = true
                logger.error("cannot write checkpoint \(path): \(error); not freeing the write-ahead ring until it works")
            }
            return false
        }
        if failing {
            failing = false
            logger.notice("checkpoint \(path) is written again")
        }
        ring.release(through: position)
        lastMillis = nowMillis
        count += 1
        return true
    }
}
