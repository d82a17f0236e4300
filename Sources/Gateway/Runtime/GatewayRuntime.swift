import Foundation
import Logging
import Telemetry

/// `gateway run`: wires configuration, logs, ring, pipeline and MQTT source together, runs
/// until SIGINT/SIGTERM, then shuts down without losing what was received.
///
/// Shutdown order: stop the MQTT source (no new messages; unacknowledged ones stay with the
/// broker's persistent session), drain the ring, write every open window as incomplete,
/// flush and fsync the logs, exit 0.
struct GatewayRuntime {
    let config: GatewayConfig
    let logger: Logger

    /// MQTT caps a topic at 65,535 bytes.
    static let maxTopicBytes = 65_535

    /// Runs the gateway; returns when it has shut down cleanly.
    func run() throws {
        let password = try config.mqtt.resolvePassword(environment: ProcessInfo.processInfo.environment)
        let dataDirectory = config.storage.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let recovery = CrashRecovery(dataDirectory: dataDirectory, logger: logger)
        let ringSync = RingSyncSchedule(policy: config.storage.rollupLog.fsync, ringPath: recovery.ringPath, logger: logger)
        let ring = try recovery.openRing(capacityBytes: config.ingest.ringBytes,
                                         sync: RingSyncSchedule.mode(for: config.storage.rollupLog.fsync))
        let checkpoint = try recovery.restoreLogs()
        let now = MQTTSource.wallClockNanos() / 1_000_000
        let rollups = try openLog(directory: dataDirectory + "/rollups", baseName: "rollups",
                                  policy: config.storage.rollupLog, nowMillis: now)
        let quarantine = try openLog(directory: dataDirectory + "/quarantine", baseName: "quarantine",
                                     policy: config.storage.quarantineLog, nowMillis: now)
        let settings = try PipelineSettings(
            topicPattern: TopicPattern(config.ingest.topicPattern),
            maxPayloadBytes: config.ingest.maxPayloadBytes,
            maxReadingsPerMessage: config.ingest.maxReadingsPerMessage,
            futureToleranceMillis: config.ingest.futureToleranceMillis,
            dedupWindow: config.ingest.dedupWindow,
            redeliveryWindow: config.ingest.redeliveryWindow,
            tiers: config.rollup.tiers,
            allowedLatenessMillis: config.rollup.allowedLatenessMillis,
            stateHorizonMillis: config.rollup.stateHorizonMillis,
            payloadExcerptBytes: config.storage.quarantinePayloadExcerptBytes,
            maxTopicBytes: config.ingest.maxTopicBytes,
            maxSeries: config.ingest.maxSeries,
            excerptsPerSecond: config.storage.quarantineExcerptsPerSecond,
            maxNameBytes: config.ingest.maxNameBytes,
            acceptRetained: config.ingest.acceptRetained,
            readingRecordsPerMessage: config.storage.quarantineReadingsPerMessage)

        guard config.ingest.maxPayloadBytes + Self.maxTopicBytes <= ring.maxMessageBytes else {
            throw GatewayRuntimeError(description:
                "ingest.max_payload (\(config.ingest.maxPayloadBytes) bytes) must leave room for a topic in half of ingest.ring_size (\(ring.capacityBytes) bytes): raise ring_size or lower max_payload")
        }
        SignalWaiter.blockTerminationSignals()
        let sink = LogSink(rollups: rollups, quarantine: quarantine,
                           quarantineMaxLineBytes: config.storage.quarantineMaxLineBytes, logger: logger)
        let pipeline = IngestPipeline(settings: settings, catalogue: config.catalogue, sink: sink)
        try recovery.restorePipeline(checkpoint, pipeline: pipeline, ring: ring)
        let poisonGuard = try recovery.openPoisonGuard()
        let checkpoints = CheckpointKeeper(
            path: recovery.checkpointPath, intervalMillis: config.storage.checkpointIntervalMillis,
            sync: config.storage.rollupLog.fsync != .never, logger: logger)
        // A checkpoint before the first message: from here on every crash has one to return to.
        guard checkpoints.takeIfDue(nowMillis: now, pipeline: pipeline, ring: ring, sink: sink, force: true) else {
            throw GatewayRuntimeError(description: "cannot write the first checkpoint \(recovery.checkpointPath); see the log above")
        }
        let source = MQTTSource(settings: config.mqtt, password: password, ring: ring, logger: logger)
        let status = StatusReporter(logger: logger, intervalSeconds: config.logging.statusIntervalSeconds,
                                    dataDirectory: dataDirectory)
        let watchdog = StallWatchdog(dataDirectory: dataDirectory, logger: logger)
        let worker = PipelineWorker(ring: ring, pipeline: pipeline, sink: sink, source: source,
                                    status: status, checkpoints: checkpoints, ringSync: ringSync,
                                    watchdog: watchdog, poisonGuard: poisonGuard, logger: logger)
        logger.info("gateway starting", metadata: [
            "data_dir": "\(dataDirectory)", "tiers": "\(config.rollup.tiers.map(\.name).joined(separator: ","))",
            "metrics": "\(config.catalogue.definitions.count)", "ring_bytes": "\(ring.capacityBytes)",
            "topic_pattern": "\(config.ingest.topicPattern)",
        ])
        watchdog.start()
        worker.start()
        try source.start()

        let signal = SignalWaiter.wait()
        logger.info("received \(signal): stopping; draining the ring and writing open windows")
        source.stop()
        worker.requestStop()
        worker.waitUntilStopped()
        watchdog.stop()
    }

    private func openLog(directory: String, baseName: String, policy: LogPolicy, nowMillis: Int64) throws -> SegmentedLog {
        let log = try SegmentedLog(directory: directory, baseName: baseName, policy: policy, nowMillis: nowMillis)
        if log.repairedTailBytes > 0 {
            logger.warning("repaired a torn last line left by an earlier crash", metadata: [
                "path": "\(log.path)", "bytes_dropped": "\(log.repairedTailBytes)",
            ])
        }
        return log
    }
}
