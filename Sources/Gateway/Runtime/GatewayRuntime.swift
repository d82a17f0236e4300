import Foundation
import Logging
import Telemetry

/// `gateway run`: wires configuration, the engine and the MQTT source together, runs until
/// SIGINT/SIGTERM, then shuts down without losing what was received.
///
/// Shutdown order: stop the MQTT source (no new messages; unacknowledged ones stay with the
/// broker's persistent session) and the HTTP API, then the engine drains the ring, writes every open window as
/// incomplete, flushes and fsyncs the logs and stores a last checkpoint; the query index reads
/// the log's last lines and closes; exit 0.
struct GatewayRuntime {
    let config: GatewayConfig
    let logger: Logger

    /// Runs the gateway; returns when it has shut down cleanly.
    func run() throws {
        let password = try config.mqtt.resolvePassword(environment: ProcessInfo.processInfo.environment)
        let dataDirectory = config.storage.dataDirectory
        let status = StatusReporter(
            logger: logger, intervalSeconds: config.logging.statusIntervalSeconds,
            dataDirectory: dataDirectory)
        let watchdog = StallWatchdog(dataDirectory: dataDirectory, logger: logger)
        let board = SnapshotBoard()
        let observer = EngineLog(logger: logger, status: status, watchdog: watchdog, board: board)
        // Before the engine starts its threads, so that they inherit the mask and only
        // `SignalWaiter.wait` receives SIGINT/SIGTERM.
        SignalWaiter.blockTerminationSignals()
        // The Sparkplug B host's session holds the queue of rebirth requests, which the engine
        // fills and the MQTT source publishes.
        let sparkplug = config.ingest.sparkplugHost.map(SparkplugHostSession.init(settings:))
        let engine = try IngestEngine.open(
            try engineConfiguration(sparkplugCommands: sparkplug?.commands), observer: observer)
        let source = MQTTSource(
            settings: config.mqtt, password: password, ring: engine.ring,
            connection: engine.connection, sparkplug: sparkplug, logger: logger)
        let subscriptions = config.ingest.subscriptions ?? []
        logger.info(
            "gateway starting",
            metadata: [
                "data_dir": "\(dataDirectory)", "tiers": "\(config.rollup.tiers.map(\.name).joined(separator: ","))",
                "metrics": "\(config.catalogue.definitions.count)", "ring_bytes": "\(engine.ring.capacityBytes)",
                "topic_pattern": "\(config.ingest.topicPattern)",
                "subscriptions": "\(subscriptions.map { "\($0.format) \($0.summary)" }.joined(separator: "; "))",
            ])
        let index = QueryIndexService.start(config: config, logger: logger)
        let api = try APIServer.startForGateway(config: config, board: board, index: index, logger: logger)
        watchdog.start()
        try engine.start()
        try source.start()

        let signal = SignalWaiter.wait()
        logger.info("received \(signal): stopping; draining the ring and writing open windows")
        source.stop()
        api?.stop()
        engine.requestStop()
        engine.waitUntilStopped()
        index?.stop(logger: logger)
        watchdog.stop()
    }

    /// The pipeline's settings: JSON on `ingest.topicPattern`, the line protocol subscriptions in
    /// the order listed, Sparkplug B when a `sparkplug_b` subscription is listed, and the limits.
    func pipelineSettings() throws -> PipelineSettings {
        var lineSubscriptions: [LineSubscription] = []
        for case .line(let pattern, let options) in config.ingest.subscriptions ?? [] {
            lineSubscriptions.append(
                LineSubscription(pattern: try TopicPattern(pattern, required: options.levelsFromTopic), options: options))
        }
        return try PipelineSettings(
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
            readingRecordsPerMessage: config.storage.quarantineReadingsPerMessage,
            retireAfterMillis: config.ingest.retireAfterMillis,
            quantileAccuracy: config.rollup.quantileAccuracy, lineSubscriptions: lineSubscriptions,
            sparkplug: config.ingest.sparkplugHost?.pipelineSubscription)
    }

    /// The engine's part of the configuration; `sparkplugCommands` takes the pipeline's rebirth requests.
    private func engineConfiguration(sparkplugCommands: SparkplugCommandQueue?) throws -> EngineConfiguration {
        let pipeline = try pipelineSettings()
        let marker = ProcessInfo.processInfo.environment["GATEWAY_TEST_CRASH_ON_PAYLOAD"].map { Array($0.utf8) }
        return EngineConfiguration(
            dataDirectory: config.storage.dataDirectory, pipeline: pipeline, catalogue: config.catalogue,
            ringBytes: config.ingest.ringBytes, rollupLog: config.rollupLogPolicy,
            quarantineLog: config.storage.quarantineLog, quarantineMaxLineBytes: config.storage.quarantineMaxLineBytes,
            checkpointIntervalMillis: config.storage.checkpointIntervalMillis,
            crashMarker: marker?.isEmpty == false ? marker : nil, sparkplugCommands: sparkplugCommands)
    }
}
