import Foundation

/// Opening a data directory: recovery to the last checkpoint, then the first checkpoint of this
/// process, before any new message is taken.
extension IngestEngine {
    /// MQTT caps a topic at 65,535 bytes; the ring must hold the largest payload with such a topic.
    public static let maxTopicBytes = 65_535

    /// Opens (or creates) `configuration.dataDirectory`, brings it back to its last checkpoint
    /// (docs/crash-consistency.md), positions the ring to replay what the checkpoint does not
    /// reflect, and stores a first checkpoint, so that from here on every crash has one to
    /// return to. Repairs are reported to `observer` as they happen.
    public static func open(
        _ configuration: EngineConfiguration, connection: ConnectionState = ConnectionState(),
        observer: EngineObserver
    ) throws -> IngestEngine {
        let directory = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let recovery = CrashRecovery(dataDirectory: directory, observer: observer)
        let fsync = configuration.rollupLog.fsync
        let ring = try recovery.openRing(capacityBytes: configuration.ringBytes, sync: RingSyncSchedule.mode(for: fsync))
        let maxPayloadBytes = configuration.pipeline.maxPayloadBytes
        guard maxPayloadBytes <= ring.maxMessageBytes - maxTopicBytes else {
            throw EngineError(
                description: """
                    ingest.max_payload (\(maxPayloadBytes) bytes) must leave room for a topic in half of ingest.ring_size \
                    (\(ring.capacityBytes) bytes): raise ring_size or lower max_payload
                    """)
        }
        let checkpoint = try recovery.restoreLogs()
        let now = WallClock.millis()
        let rollups = try openLog(
            directory: directory + "/rollups", baseName: "rollups",
            policy: configuration.rollupLog, nowMillis: now, observer: observer)
        let quarantine = try openLog(
            directory: directory + "/quarantine", baseName: "quarantine",
            policy: configuration.quarantineLog, nowMillis: now, observer: observer)
        let sink = LogSink(
            rollups: rollups, quarantine: quarantine,
            quarantineMaxLineBytes: configuration.quarantineMaxLineBytes, observer: observer)
        let pipeline = IngestPipeline(settings: configuration.pipeline, catalogue: configuration.catalogue, sink: sink)
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
        return IngestEngine(
            ring: ring, connection: connection, pipeline: pipeline, sink: sink, checkpoints: checkpoints,
            ringSync: RingSyncSchedule(policy: fsync, ringPath: recovery.ringPath, observer: observer),
            poisonGuard: poisonGuard, observer: observer, crashMarker: configuration.crashMarker)
    }

    private static func openLog(
        directory: String, baseName: String, policy: LogPolicy, nowMillis: Int64,
        observer: EngineObserver
    ) throws -> SegmentedLog {
        let log = try SegmentedLog(directory: directory, baseName: baseName, policy: policy, nowMillis: nowMillis)
        if log.repairedTailBytes > 0 {
            observer.record(
                EngineEvent(
                    .warning, "repaired a torn last line left by an earlier crash",
                    metadata: [
                        "path": log.path, "bytes_dropped": "\(log.repairedTailBytes)",
                    ]))
        }
        return log
    }
}
