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
    private let poisonGuard: PoisonGuard
    private let logger: Logger
    /// Test hook: the worker traps on a payload containing these bytes (environment variable
    /// `GATEWAY_TEST_CRASH_ON_PAYLOAD`), so that tests can show a poison message set aside.
    private let crashMarker: [UInt8]?
    /// Copies of poison messages set aside since the last log line about them, and when that
    /// was: a device repeating a poison message must not flood the log (one line a minute).
    private var poisonCopiesUnlogged = 0
    private var poisonCopyLoggedAtMillis: Int64 = .min
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
         watchdog: StallWatchdog, poisonGuard: PoisonGuard, logger: Logger) {
        self.ring = ring
        self.pipeline = pipeline
        self.sink = sink
        self.source = source
        self.status = status
        self.checkpoints = checkpoints
        self.ringSync = ringSync
        self.watchdog = watchdog
        self.poisonGuard = poisonGuard
        self.logger = logger
        let marker = ProcessInfo.processInfo.environment["GATEWAY_TEST_CRASH_ON_PAYLOAD"].map { Array($0.utf8) }
        crashMarker = marker?.isEmpty == false ? marker : nil
        if let marker = crashMarker {
            logger.warning("test hook: the pipeline traps on any payload containing \"\(String(decoding: marker, as: UTF8.self))\"")
        }
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
        poisonGuard.close()
        sink.close(nowMillis: now)
        status.final(nowMillis: now, pipeline: pipeline, ring: ring, source: source, sink: sink)
    }

    /// Quarantines a message that stopped the gateway `deaths` times instead of ingesting it.
    private func setAside(_ message: RawMessage, deaths: Int, position: Int?) {
        let topic = String(decoding: message.topic.prefix(256), as: UTF8.self)
        let detail = position.map {
            "the gateway stopped \(deaths) times while ingesting this message (write-ahead ring byte \($0)); set aside unread so that ingestion goes on"
        } ?? "the same topic and payload as a message that stopped the gateway \(deaths) times; set aside unread"
        let nowMillis = MQTTSource.wallClockNanos() / 1_000_000
        poisonCopiesUnlogged += 1
        if position != nil || nowMillis - poisonCopyLoggedAtMillis >= 60_000 {
            logger.error("poison message quarantined: \(detail)", metadata: [
                "topic": "\(topic)", "payload_bytes": "\(message.payloadBytes)",
                "set_aside_since_last_line": "\(poisonCopiesUnlogged)",
            ])
            poisonCopiesUnlogged = 0
            if position == nil { poisonCopyLoggedAtMillis = nowMillis }
        }
        pipeline.quarantinePoison(
            topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
            payloadBytes: message.payloadBytes, detail: detail)
    }

    /// The test hook behind `crashMarker`.
    private static func trap(on marker: [UInt8], in message: RawMessage) {
        let payload = message.payload
        guard payload.count >= marker.count else { return }
        let found = (0...(payload.count - marker.count)).contains { start in
            marker.indices.allSatisfy { payload[start + $0] == marker[$0] }
        }
        if found { fatalError("test hook GATEWAY_TEST_CRASH_ON_PAYLOAD: trapping on a marked payload") }
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
