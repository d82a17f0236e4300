@testable import Telemetry

/// One gateway process on a `PowerCutFileSystem`, driven on one thread: the MQTT thread's side
/// (pushing into the ring, group commit) and the pipeline thread's side (consume, close windows,
/// flush the logs, checkpoint, sync the ring) take turns as the test says.
///
/// Start-up is the engine's (`IngestEngine.open`): `IngestRecovery` opens the ring, loads the
/// checkpoint and cuts the logs back, the logs are opened, the pipeline restored, and a
/// checkpoint is stored before the first new message. The pipeline thread's pass is
/// `IngestEngine`'s loop's; checkpoints are `CheckpointKeeper.takeIfDue`'s sequence (flush
/// and sync the logs, record their positions and the ring position, store, free the ring up to
/// it at the next pass once stored), except that the store runs at once on this thread instead
/// of on the checkpoint thread; the ring's interval sync is `RingSyncSchedule.tick`'s.
final class PowerCutGateway {
    /// What the trial needs to know of the process's checkpoints and syncs.
    struct Events {
        /// A checkpoint store began, with what it stores.
        var storeBegan: (IngestCheckpoint) -> Void = { _ in }
        /// The store completed; it covers the messages consumed so far (their indices).
        var storeCompleted: (_ consumed: [Int]) -> Void = { _ in }
        /// `syncPublished` returned true: every record published so far is durable.
        var ringSynced: () -> Void = {}
    }

    static let dataDirectory = "/data"
    static let ringBytes = 64 * 1024
    static let checkpointIntervalMillis: Int64 = 2_000
    static let ringSyncIntervalMillis: Int64 = 1_000
    static let maxSegmentBytes: Int64 = 2_048

    let fileSystem: PowerCutFileSystem
    let fsync: FsyncPolicy
    let ring: MessageRing
    let pipeline: IngestPipeline
    let sink: LogSink
    /// The checkpoint recovery started from, nil for none.
    let recovered: IngestRecovery.LoadedCheckpoint?
    /// How recovery positioned the ring.
    let ringOutcome: IngestRecovery.RingOutcome
    private let recovery: IngestRecovery
    private let events: Events
    private var lastCheckpointMillis: Int64 = 0
    private var lastRingSyncMillis: Int64 = 0
    private var checkpointCount = 0
    /// Ring position of a stored checkpoint not yet freed (the gateway frees at the next pass).
    private var storedNotFreed: Int?
    /// Message indices consumed, in ring order (packet id − 1, see `PowerCutWorkload`).
    private(set) var consumed: [Int] = []

    static var settings: PipelineSettings {
        get throws {
            PipelineSettings(
                topicPattern: try TopicPattern(TopicPattern.defaultPattern),
                tiers: [Tier(name: "10s", lengthMillis: 10_000), Tier(name: "30s", lengthMillis: 30_000)])
        }
    }

    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "v", kind: .gauge, unit: ""), MetricDefinition(name: "w", kind: .gauge, unit: ""),
    ])

    /// Starts a process on `fileSystem` as the gateway does after a crash: recovery, then a
    /// checkpoint. Throws what recovery throws, or `PowerCutGateway.Failure` when the first
    /// checkpoint cannot be stored; both are expected only once the power is off.
    init(fileSystem: PowerCutFileSystem, fsync: FsyncPolicy, nowMillis: Int64, events: Events = Events()) throws {
        self.fileSystem = fileSystem
        self.fsync = fsync
        self.events = events
        recovery = IngestRecovery(dataDirectory: Self.dataDirectory, fileSystem: fileSystem)
        let syncMode: MessageRing.SyncMode =
            switch fsync {
            case .always: .eachPublish
            case .interval: .periodic
            case .never: .never
            }
        ring = try recovery.openRing(capacityBytes: Self.ringBytes, sync: syncMode)
        recovered = try recovery.loadCheckpoint()
        if let recovered { _ = try recovery.restoreLogs(to: recovered.checkpoint) }
        let policy = LogPolicy(maxSegmentBytes: Self.maxSegmentBytes, maxSegmentAgeMillis: 3_600_000, fsync: fsync)
        let rollups = try SegmentedLog(
            directory: Self.dataDirectory + "/rollups", baseName: "rollups", policy: policy,
            nowMillis: nowMillis, fileSystem: fileSystem)
        let quarantine = try SegmentedLog(
            directory: Self.dataDirectory + "/quarantine", baseName: "quarantine",
            policy: policy, nowMillis: nowMillis, fileSystem: fileSystem)
        sink = LogSink(rollups: rollups, quarantine: quarantine, observer: RecordingObserver())
        pipeline = IngestPipeline(settings: try Self.settings, catalogue: Self.catalogue, sink: sink)
        ringOutcome = try recovery.restorePipeline(recovered?.checkpoint, pipeline: pipeline, ring: ring)
        guard takeCheckpointIfDue(nowMillis: nowMillis, force: true) else { throw Failure.firstCheckpoint }
    }

    /// Why a process could not start.
    enum Failure: Error {
        case firstCheckpoint
    }

    // MARK: - The MQTT thread

    /// Hands `messages` to the ring as the network loop does for the messages it reads in one
    /// wake-up: deferred syncs, one msync (`fsync: always`) before any is acknowledged. Stops at
    /// a full ring or when the power fails (`fileSystem.step()` after each). Returns how many
    /// were pushed and whether their group commit completed (false: the power failed).
    func push(_ messages: ArraySlice<PowerCutWorkload.Message>) -> (pushed: Int, committed: Bool) {
        ring.deferSyncs()
        var pushed = 0
        for message in messages {
            let fitted = message.topic.withUnsafeBytes { topic in
                message.payload.withUnsafeBytes { payload in
                    ring.tryPush(
                        topic: topic, payload: payload, receivedAtNanos: message.receivedAtMillis * 1_000_000,
                        packetID: message.packetID)
                }
            }
            guard fitted else { break }
            pushed += 1
            guard fileSystem.step() else { return (pushed, false) }
        }
        ring.syncDeferred()
        return (pushed, !fileSystem.isDown)
    }

    // MARK: - The pipeline thread

    /// One pass of `IngestEngine`'s loop: consume up to `batch` messages, then close windows,
    /// flush the logs, checkpoint if due and sync the ring if due. `nowMillis` is the wall clock.
    @discardableResult
    func pass(batch: Int, nowMillis: Int64) -> Int {
        let count = ring.consume(maxMessages: batch) { message in
            consumed.append(Int(message.packetID) - 1)
            pipeline.ingest(
                topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
                packetID: message.packetID, retained: message.retained, payloadBytes: message.payloadBytes)
        }
        tick(nowMillis: nowMillis)
        return count
    }

    /// The periodic part of a pass. Ingest time is the latest receive time (a backlog's clock),
    /// so windows close by their devices' watermarks.
    func tick(nowMillis: Int64) {
        pipeline.closeWindows(ingestClockMillis: pipeline.latestReceivedMillis, nowMillis: nowMillis)
        sink.flush(nowMillis: nowMillis)
        takeCheckpointIfDue(nowMillis: nowMillis)
        if case .interval = fsync, nowMillis - lastRingSyncMillis >= Self.ringSyncIntervalMillis {
            let synced = ring.syncPublished()
            lastRingSyncMillis = nowMillis
            if synced && !fileSystem.isDown { events.ringSynced() }
        }
    }

    /// Drains the ring (replay), writes every open window as incomplete and closes the logs after
    /// a last checkpoint: the gateway's shutdown.
    func shutDown(nowMillis: Int64) {
        while ring.consume(
            maxMessages: 4_096,
            { message in
                consumed.append(Int(message.packetID) - 1)
                pipeline.ingest(
                    topic: message.topic, payload: message.payload, receivedAtNanos: message.receivedAtNanos,
                    packetID: message.packetID, retained: message.retained, payloadBytes: message.payloadBytes)
            }) > 0
        {
            tick(nowMillis: nowMillis)
        }
        pipeline.flushAll()
        sink.flush(nowMillis: nowMillis)
        takeCheckpointIfDue(nowMillis: nowMillis, force: true)
        sink.close(nowMillis: nowMillis)
    }

    /// `CheckpointKeeper.takeIfDue`, with the store done at once.
    @discardableResult
    func takeCheckpointIfDue(nowMillis: Int64, force: Bool = false) -> Bool {
        if let position = storedNotFreed {
            storedNotFreed = nil
            ring.release(through: position)
            checkpointCount += 1
        }
        let due =
            force || nowMillis - lastCheckpointMillis >= Self.checkpointIntervalMillis
            || ring.unreleasedBytes >= ring.capacityBytes / 2
        guard due, ring.unreleasedBytes > 0 || force || checkpointCount == 0 else { return false }
        sink.flush(nowMillis: nowMillis)
        guard !sink.isFailing else { return false }
        let sync = fsync != .never
        if sync {
            sink.sync()
            guard !sink.isFailing else { return false }
        }
        let position = ring.consumedPosition
        var writer = CheckpointWriter()
        IngestCheckpoint.writeHeader(
            ringPosition: position, rollupLog: sink.rollups.position,
            quarantineLog: sink.quarantine.position, createdAtMillis: nowMillis, to: &writer)
        pipeline.writeCheckpointState(to: &writer)
        lastCheckpointMillis = nowMillis
        guard let stored = try? IngestCheckpoint(decoding: writer.bytes) else { return false }
        events.storeBegan(stored)
        do {
            // Fsynced whatever the policy, as `CheckpointKeeper` stores it.
            try CheckpointFile.store(writer.bytes, to: recovery.checkpointPath, sync: true, fileSystem: fileSystem)
        } catch {
            return false
        }
        guard !fileSystem.isDown else { return false }
        events.storeCompleted(consumed)
        guard force else {
            storedNotFreed = position
            return true
        }
        ring.release(through: position)
        checkpointCount += 1
        return true
    }
}
