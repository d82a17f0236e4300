import Atomics
import Foundation

/// The gateway's data path after the MQTT callback: a dedicated thread that drains the
/// write-ahead ring in batches through the pipeline, and every tick closes windows, flushes the
/// logs, keeps checkpoints, syncs the ring and reports a snapshot to its observer.
///
/// Open one with `open(_:connection:observer:)` (recovery runs there), hand `ring` to the
/// message source, then `start`; `requestStop` and `waitUntilStopped` end it with every window
/// written and a last checkpoint that frees the whole ring.
///
/// Thread safety: the pipeline, sink, checkpoint keeper, ring-sync schedule, clock and observer
/// are touched only by the engine thread (after `start`) and by the caller before `start` and
/// after `waitUntilStopped` returned; the stop flag is atomic; `ring` and `connection` are
/// built for their two threads. Hence `@unchecked Sendable` is sound.
public final class IngestEngine: @unchecked Sendable {
    /// The write-ahead ring: the message source pushes into it, the engine consumes it.
    public let ring: MessageRing
    /// Read each pass: the clock needs to know when the source (re)connected.
    public let connection: ConnectionState
    let pipeline: IngestPipeline
    let sink: LogSink
    let checkpoints: CheckpointKeeper
    let poisonGuard: PoisonGuard
    let observer: EngineObserver
    let crashMarker: [UInt8]?
    private var ringSync: RingSyncSchedule
    private(set) var clock: IngestClock
    /// Copies of poison messages set aside since the last event about them, and when that was:
    /// a device repeating a poison message must not flood the log (one event a minute; nil
    /// until the first copy is reported).
    var poisonCopiesUnreported = 0
    var poisonCopyReportedAtMillis: Int64?
    /// When the last retirement pass ran (wall clock), and how often one runs: a quarter of
    /// `ingest.retire_after`, at least a second apart and at most a minute.
    private var lastRetirementMillis: Int64 = 0
    private var retirementIntervalMillis: Int64 {
        min(60_000, max(1_000, pipeline.settings.retireAfterMillis / 4))
    }
    /// When the tables were first found sparse (`IngestPipeline.isSparse`, wall clock); nil while not.
    private var sparseSinceMillis: Int64?
    private var compactionCheckedAtMillis: Int64 = 0
    private let stopRequested = ManagedAtomic<Bool>(false)
    /// The engine thread, joined by `waitUntilStopped`.
    private var thread: pthread_t?

    /// Messages taken from the ring per batch: large enough to amortise the release store,
    /// small enough to close windows and flush logs every few milliseconds under load.
    public static let batchSize = 4_096
    /// How often windows are closed and logs flushed.
    public static let tickMillis: Int64 = 50
    /// After (re)connecting, how long the ingest clock waits for the broker's backlog to start
    /// flowing before it follows the wall clock again.
    public static let connectGraceMillis: Int64 = 2_000
    /// How often writing is retried while storage refuses it.
    public static let storageRetryMillis: Int64 = 100

    /// Opens (or creates) `configuration.dataDirectory`: see `open(_:connection:observer:)`.
    init(opening configuration: EngineConfiguration, connection: ConnectionState, observer: EngineObserver) throws {
        let directory = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let recovery = CrashRecovery(dataDirectory: directory, observer: observer)
        let fsync = configuration.rollupLog.fsync
        let ring = try recovery.openRing(capacityBytes: configuration.ringBytes, sync: RingSyncSchedule.mode(for: fsync))
        let maxPayloadBytes = configuration.pipeline.maxPayloadBytes
        guard maxPayloadBytes <= ring.maxMessageBytes - Self.maxTopicBytes else {
            throw EngineError(
                description: """
                    ingest.max_payload (\(maxPayloadBytes) bytes) must leave room for a topic in half of ingest.ring_size \
                    (\(ring.capacityBytes) bytes): raise ring_size or lower max_payload
                    """)
        }
        let checkpoint = try recovery.restoreLogs()
        let now = WallClock.millis()
        let rollups = try Self.openLog(
            directory: directory + "/rollups", baseName: "rollups",
            policy: configuration.rollupLog, nowMillis: now, observer: observer)
        let quarantine = try Self.openLog(
            directory: directory + "/quarantine", baseName: "quarantine",
            policy: configuration.quarantineLog, nowMillis: now, observer: observer)
        let sink = LogSink(
            rollups: rollups, quarantine: quarantine,
            quarantineMaxLineBytes: configuration.quarantineMaxLineBytes, observer: observer)
        let pipeline = IngestPipeline(
            settings: configuration.pipeline, catalogue: configuration.catalogue, sink: sink,
            sparkplugCommands: configuration.sparkplugCommands)
        try recovery.restorePipeline(checkpoint, pipeline: pipeline, ring: ring)
        let poisonGuard = try recovery.openPoisonGuard()
        let checkpoints = CheckpointKeeper(
            path: recovery.checkpointPath, intervalMillis: configuration.checkpointIntervalMillis,
            sync: fsync != .never, pipeline: pipeline, ring: ring, sink: sink, observer: observer)
        guard checkpoints.takeIfDue(nowMillis: now, force: true) else {
            checkpoints.stop()
            throw EngineError(description: "cannot write the first checkpoint \(recovery.checkpointPath); see the log above")
        }
        if let marker = configuration.crashMarker {
            observer.record(
                EngineEvent(
                    .warning,
                    """
                    test hook: the pipeline traps on any payload containing "\(String(decoding: marker, as: UTF8.self))"
                    """))
        }
        self.ring = ring
        self.connection = connection
        self.pipeline = pipeline
        self.sink = sink
        self.checkpoints = checkpoints
        self.ringSync = RingSyncSchedule(policy: fsync, ringPath: recovery.ringPath, observer: observer)
        self.poisonGuard = poisonGuard
        self.observer = observer
        self.crashMarker = configuration.crashMarker
        clock = IngestClock(millis: pipeline.latestReceivedMillis)
    }

    /// Starts the engine thread (named "pipeline"). Call once.
    ///
    /// A POSIX thread rather than `Foundation.Thread`, so that `waitUntilStopped` can join it:
    /// once joined, the thread holds no reference to the engine, and dropping the engine closes
    /// the ring file and releases its lock at once (a restart in the same process can open it).
    public func start() throws {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let engine = Unmanaged<IngestEngine>.fromOpaque(context).takeRetainedValue()
                Thread.current.name = "pipeline"
                engine.runLoop()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<IngestEngine>.fromOpaque(context).release()
            throw SystemCallError(path: "the pipeline thread", operation: "pthread_create", errno: result)
        }
        self.thread = thread
    }

    /// Asks the engine to drain the ring, write every open window and stop. Call after the
    /// message source has stopped, so nothing new arrives.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Waits until the engine stopped: every window written, both logs closed, the last
    /// checkpoint stored and the final snapshot reported.
    public func waitUntilStopped() {
        guard let thread else { return }
        pthread_join(thread, nil)
        self.thread = nil
    }

    /// The state now, as `status.json` shows it. On the engine thread (the ring's consumer).
    func snapshot(nowMillis: Int64, stopped: Bool) -> EngineSnapshot {
        let oldestWaiting = ring.oldestWaitingReceivedAtNanos()
        return EngineSnapshot(
            takenAtMillis: nowMillis, stopped: stopped, stats: pipeline.stats, openWindows: pipeline.openWindowCount,
            series: pipeline.seriesCount, closeDelays: pipeline.closeDelays, ringUsedBytes: ring.usedBytes,
            ringCapacityBytes: ring.capacityBytes,
            ingestLagMillis: oldestWaiting.map { max(0, nowMillis - $0 / 1_000_000) } ?? 0,
            rollupBytesWritten: sink.rollups.bytesWritten, quarantineBytesWritten: sink.quarantine.bytesWritten,
            storageFailing: sink.isFailing, storageBufferedBytes: sink.bufferedBytes, connection: connection.snapshot)
    }

    private func runLoop() {
        var lastTick: Int64 = 0
        var idleSleepMicros: UInt32 = 50
        while true {
            if sink.isFailing {
                waitForStorage()
                continue
            }
            // Read the flag before consuming: the source stopped before the flag was set, so if
            // it was set and this batch is empty, the ring stays empty.
            let stopping = stopRequested.load(ordering: .acquiring)
            observer.entering(.ingesting)
            let consumed = ring.consume(maxMessages: Self.batchSize) { message in
                switch poisonGuard.enter(message) {
                case .ingest:
                    if let crashMarker { Self.trap(on: crashMarker, in: message) }
                    pipeline.ingest(
                        topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
                        packetID: message.packetID, retained: message.retained, payloadBytes: message.payloadBytes)
                case .poison(let deaths, let position):
                    setAside(message, deaths: deaths, position: position)
                }
                poisonGuard.leave()
            }
            let now = WallClock.millis()
            let connectedSince = connection.connectedSinceMillis
            clock.advance(
                latestReceivedMillis: pipeline.latestReceivedMillis, nowMillis: now,
                following: consumed == 0 && connectedSince > 0 && now - connectedSince >= Self.connectGraceMillis,
                connectedSinceMillis: connectedSince)
            if now - lastTick >= Self.tickMillis || consumed == 0 {
                tick(nowMillis: now)
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
        finish()
    }

    /// One tick: close what is due, write it, retire silent devices (up to once a minute) and
    /// compact the tables after a peak, checkpoint, sync the ring, report.
    private func tick(nowMillis now: Int64) {
        pipeline.closeWindows(ingestClockMillis: clock.millis, resumedAtMillis: clock.resumedAtMillis, nowMillis: now)
        let retirementDue = now - lastRetirementMillis >= retirementIntervalMillis
        if retirementDue {
            lastRetirementMillis = now
            retireSilentDevices()
        }
        // While sparse tables wait for a quiet moment, look for one every 200 ms, not at every
        // tick: finding it visits every device.
        if retirementDue || (sparseSinceMillis != nil && now - compactionCheckedAtMillis >= 200) {
            compactionCheckedAtMillis = now
            compactIfSparse(nowMillis: now, sparseSinceMillis: &sparseSinceMillis)
        }
        observer.entering(.flushingLogs)
        sink.flush(nowMillis: now)
        observer.entering(.checkpointing)
        checkpoints.takeIfDue(nowMillis: now)
        observer.entering(.syncingRing)
        ringSync.tick(nowMillis: now, ring: ring)
        observer.entering(.writingStatus)
        observer.tick(snapshot(nowMillis: now, stopped: false))
    }

    /// Shutdown: every open window written as incomplete, the logs flushed and closed, a last
    /// checkpoint with no open window that frees the whole ring.
    private func finish() {
        pipeline.flushAll(stopMillis: clock.millis)
        sink.flush(nowMillis: WallClock.millis())
        // Never exit with acknowledged data unwritten: wait for storage as long as it takes.
        while sink.isFailing { waitForStorage() }
        let now = WallClock.millis()
        while !checkpoints.takeIfDue(nowMillis: now, force: true) {
            waitForStorage()
        }
        checkpoints.stop()
        poisonGuard.close()
        sink.close(nowMillis: now)
        observer.tick(snapshot(nowMillis: now, stopped: true))
    }

    /// Storage refuses writes (disk full, I/O error): take nothing more from the ring, so the
    /// source waits on a full ring and TCP pushes back on the broker, which queues for the
    /// persistent session. Retries the buffered lines every `storageRetryMillis`.
    private func waitForStorage() {
        usleep(UInt32(Self.storageRetryMillis) * 1_000)
        let now = WallClock.millis()
        observer.entering(.flushingLogs)
        sink.flush(nowMillis: now)
        observer.entering(.writingStatus)
        observer.tick(snapshot(nowMillis: now, stopped: false))
    }
}
