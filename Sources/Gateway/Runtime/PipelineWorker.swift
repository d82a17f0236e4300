import Atomics
import Foundation
import Logging
import Telemetry

/// The ring's consumer: a dedicated thread that drains messages in batches through the
/// pipeline, closes windows, flushes the logs and reports status.
///
/// Thread safety: the pipeline, sink, ring-sync schedule and status state are touched only by the worker thread
/// (after `start`) and by the caller only after `waitUntilStopped` returned; the stop flag is
/// atomic. Hence `@unchecked Sendable` is sound.
final class PipelineWorker: @unchecked Sendable {
    private let ring: MessageRing
    private let pipeline: IngestPipeline
    private let sink: LogSink
    private let source: MQTTSource
    private let status: StatusReporter
    private let checkpoints: CheckpointKeeper
    private var ringSync: RingSyncSchedule
    private let watchdog: StallWatchdog
    private let logger: Logger
    private let stopRequested = ManagedAtomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    /// Messages taken from the ring per batch: large enough to amortise the release store,
    /// small enough to close windows and flush logs every few milliseconds under load.
    static let batchSize = 4_096
    /// How often windows are closed and logs flushed.
    static let tickMillis: Int64 = 50
    /// After (re)connecting, how long the ingest clock waits for the broker's backlog to start
    /// flowing before it follows the wall clock again.
    static let connectGraceMillis: Int64 = 2_000
    /// How often writing is retried while storage refuses it.
    static let storageRetryMillis: Int64 = 100

    init(ring: MessageRing, pipeline: IngestPipeline, sink: LogSink, source: MQTTSource,
         status: StatusReporter, checkpoints: CheckpointKeeper, ringSync: RingSyncSchedule,
         watchdog: StallWatchdog, logger: Logger) {
        self.ring = ring
        self.pipeline = pipeline
        self.sink = sink
        self.source = source
        self.status = status
        self.checkpoints = checkpoints
        self.ringSync = ringSync
        self.watchdog = watchdog
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            self.runLoop()
            self.stopped.signal()
        }
        thread.name = "pipeline"
        thread.start()
    }

    /// Asks the worker to drain the ring, write every open window and stop. Call after the MQTT
    /// source has stopped, so nothing new arrives.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    func waitUntilStopped() {
        stopped.wait()
    }

    private func runLoop() {
        var lastTick: Int64 = 0
        var idleSleepMicros: UInt32 = 50
        var clock = IngestClock(millis: pipeline.latestReceivedMillis)
        while true {
            if sink.isFailing {
                waitForStorage()
                continue
            }
            // Read the flag before consuming: the source stopped before the flag was set, so if
            // it was set and this batch is empty, the ring stays empty.
            let stopping = stopRequested.load(ordering: .acquiring)
            watchdog.mark(.ingesting)
            let consumed = ring.consume(maxMessages: Self.batchSize) { message in
                pipeline.ingest(
                    topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
                    packetID: message.packetID)
            }
            let now = MQTTSource.wallClockNanos() / 1_000_000
            let connectedSince = source.connectedSinceMillis.load(ordering: .relaxed)
            clock.advance(latestReceivedMillis: pipeline.latestReceivedMillis, nowMillis: now,
                          following: consumed == 0 && connectedSince > 0 && now - connectedSince >= Self.connectGraceMillis,
                          connectedSinceMillis: connectedSince)
            if now - lastTick >= Self.tickMillis || consumed == 0 {
                pipeline.closeWindows(ingestClockMillis: clock.millis, resumedAtMillis: clock.resumedAtMillis, nowMillis: now)
                watchdog.mark(.flushingLogs)
                sink.flush(nowMillis: now)
                watchdog.mark(.checkpointing)
                checkpoints.takeIfDue(nowMillis: now, pipeline: pipeline, ring: ring, sink: sink)
                watchdog.mark(.syncingRing)
                ringSync.tick(nowMillis: now, ring: ring)
                watchdog.mark(.writingStatus)
                status.tick(nowMillis: now, pipeline: pipeline, ring: ring, source: source, sink: sink)
                lastTick = now
            }
            if consumed > 0 {
                idleSleepMicros = 50
                continue
            }
            if stopping { break }
            usleep(idleSleepMicros)
            idleSleepMicros = min(idleSleepMicros * 2, 2_000)
        }
        pipeline.flushAll()
        sink.flush(nowMillis: MQTTSource.wallClockNanos() / 1_000_000)
        // Never exit with acknowledged data unwritten: wait for storage as long as it takes.
        while sink.isFailing { waitForStorage() }
        let now = MQTTSource.wallClockNanos() / 1_000_000
        // Everything is written: the last checkpoint holds no open window and frees the whole ring.
        while !checkpoints.takeIfDue(nowMillis: now, pipeline: pipeline, ring: ring, sink: sink, force: true) {
            waitForStorage()
        }
        checkpoints.stop()
        sink.close(nowMillis: now)
        status.final(nowMillis: now, pipeline: pipeline, ring: ring, source: source, sink: sink)
    }

    /// Storage refuses writes (disk full, I/O error): take nothing more from the ring, so the
    /// MQTT thread waits on a full ring and TCP pushes back on the broker, which queues for the
    /// persistent session. Retries the buffered lines every `storageRetryMillis`.
    private func waitForStorage() {
        usleep(UInt32(Self.storageRetryMillis) * 1_000)
        let now = MQTTSource.wallClockNanos() / 1_000_000
        watchdog.mark(.flushingLogs)
        sink.flush(nowMillis: now)
        watchdog.mark(.writingStatus)
        status.tick(nowMillis: now, pipeline: pipeline, ring: ring, source: source, sink: sink)
    }
}
