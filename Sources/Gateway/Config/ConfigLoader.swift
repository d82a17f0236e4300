import Foundation
import Telemetry
import Yams

/// Reads `gateway.yaml` into a `GatewayConfig`, walking the YAML nodes so every problem carries
/// its file, line, column and key path. All problems are collected (config and catalogue) and
/// thrown together; keys missing from the file keep their defaults, and an empty file is all
/// defaults.
enum ConfigLoader {
    /// Top-level sections of the config file.
    static let sectionKeys = ["mqtt", "ingest", "rollup", "storage", "logging"]
    /// Keys of `mqtt:`.
    static let mqttKeys = [
        "host", "port", "protocol", "client_id", "keepalive", "clean_session", "qos", "topics",
        "username", "password_env", "password_file", "tls", "reconnect",
    ]
    /// Keys of `mqtt.tls:`.
    static let tlsKeys = ["ca_file", "ca_path", "cert_file", "key_file", "insecure"]
    /// Keys of `mqtt.reconnect:`.
    static let reconnectKeys = ["initial", "max"]
    /// Keys of `ingest:`.
    static let ingestKeys = [
        "topic_pattern", "ring_size", "max_payload", "max_readings_per_message", "max_topic_bytes",
        "max_series", "future_tolerance", "dedup_window", "redelivery_window", "catalogue", "strict_metrics",
        "max_name_bytes", "accept_retained",
    ]
    /// Keys of `rollup:`.
    static let rollupKeys = ["tiers", "allowed_lateness", "state_horizon"]
    /// Keys of `storage:`.
    static let storageKeys = [
        "data_directory", "rollup_log", "quarantine_log", "quarantine_payload_excerpt", "quarantine_excerpts_per_second",
        "quarantine_max_line", "quarantine_readings_per_message",
        "checkpoint_interval",
    ]
    /// Keys of `storage.rollup_log:` and `storage.quarantine_log:`.
    static let logPolicyKeys = ["segment_max", "segment_max_age", "fsync", "fsync_interval", "retain_size", "retain_age"]
    /// Keys of `logging:`.
    static let loggingKeys = ["level", "status_interval"]

    static let passwordKeyMessage =
        "a password is never read from the config file; set password_env to the name of an "
        + "environment variable that holds it, or password_file to a file whose first line is it"
    static let second: Int64 = 1_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Reads and validates the config file at `path` and the catalogue it names. A missing file
    /// is one issue, `file not found`. Throws `ConfigErrors` with every issue found.
    static func load(path: String) throws(ConfigErrors) -> GatewayConfig {
        switch ConfigTextFile.read(path: path) {
        case .text(let text):
            return try parse(yaml: text, sourcePath: path)
        case .unreadable(let reason):
            throw ConfigErrors(issues: [ConfigIssue(file: path, key: "", message: reason)])
        }
    }

    /// Validates `yaml` as if read from `sourcePath`: issues name `sourcePath`, and the catalogue
    /// and other relative file paths are resolved against its directory.
    static func parse(yaml: String, sourcePath: String) throws(ConfigErrors) -> GatewayConfig {
        var reader = ConfigNodeReader(file: sourcePath)
        let baseDirectory = ConfigTextFile.directory(of: sourcePath)
        let root =
            reader.section(reader.document(yaml), key: "", allowedKeys: sectionKeys)
            ?? .absent(key: "")
        let mqtt = readMQTT(root.node("mqtt"), reader: &reader, baseDirectory: baseDirectory)
        var ingest = readIngest(root.node("ingest"), reader: &reader)
        let rollup = readRollup(root.node("rollup"), reader: &reader)
        let storage = readStorage(root.node("storage"), reader: &reader)
        let logging = readLogging(root.node("logging"), reader: &reader)

        let ingestNode = root.node("ingest")?.mapping
        let cataloguePath = ConfigTextFile.resolve(ingest.cataloguePath, against: baseDirectory)
        var catalogue = MetricCatalogue([])
        var catalogueIssues: [ConfigIssue] = []
        switch ConfigTextFile.read(path: cataloguePath) {
        case .text(let text):
            (catalogue, catalogueIssues) = MetricCatalogueLoader.read(yaml: text, file: cataloguePath)
        case .unreadable(let reason):
            reader.report(
                "cannot load the metric catalogue \(cataloguePath): \(reason)", key: "ingest.catalogue",
                at: ingestNode?["catalogue"])
        }
        let issues = inFileOrder(reader.issues) + catalogueIssues
        guard issues.isEmpty else {
            throw ConfigErrors(issues: issues)
        }
        if ingestNode?["strict_metrics"] != nil {
            catalogue = MetricCatalogue(catalogue.definitions, strict: ingest.strictMetrics)
        } else {
            ingest.strictMetrics = catalogue.strict
        }
        return GatewayConfig(
            mqtt: mqtt, ingest: ingest, rollup: rollup, storage: storage, logging: logging,
            catalogue: catalogue, sourcePath: sourcePath)
    }

    /// Issues sorted by line and column (sections are read in a fixed order, not file order);
    /// issues without a position first, ties kept in the order found.
    static func inFileOrder(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated().sorted { left, right in
            let leftPosition = (left.element.line ?? 0, left.element.column ?? 0, left.offset)
            let rightPosition = (right.element.line ?? 0, right.element.column ?? 0, right.offset)
            return leftPosition < rightPosition
        }.map(\.element)
    }

    // MARK: - ingest

    private static func readIngest(_ node: Node?, reader: inout ConfigNodeReader) -> IngestSettings {
        var settings = IngestSettings()
        guard let section = reader.section(node, key: "ingest", allowedKeys: ingestKeys) else {
            return settings
        }
        if let pattern = reader.string("topic_pattern", in: section, describing: "a topic pattern") {
            let problems = ConfigValueParsers.topicPatternProblems(pattern)
            for problem in problems {
                reader.report(problem, key: "ingest.topic_pattern", at: section.node("topic_pattern"))
            }
            if problems.isEmpty {
                settings.topicPattern = pattern
            }
        }
        if let bytes = reader.byteSize("ring_size", in: section, range: 1 << 20...4 << 30, powerOfTwo: true) {
            settings.ringBytes = Int(bytes)
        }
        if let bytes = reader.byteSize("max_payload", in: section, range: 64...256 << 20) {
            settings.maxPayloadBytes = Int(bytes)
        }
        settings.maxReadingsPerMessage =
            reader.integer("max_readings_per_message", in: section, range: 1...1_000_000)
            ?? settings.maxReadingsPerMessage
        settings.maxTopicBytes =
            reader.integer("max_topic_bytes", in: section, range: 16...65_535) ?? settings.maxTopicBytes
        settings.maxNameBytes =
            reader.integer("max_name_bytes", in: section, range: 16...65_535) ?? settings.maxNameBytes
        settings.acceptRetained = reader.bool("accept_retained", in: section) ?? settings.acceptRetained
        settings.maxSeries = reader.integer("max_series", in: section, range: 1...100_000_000) ?? settings.maxSeries
        settings.futureToleranceMillis =
            reader.duration("future_tolerance", in: section, range: 0...day) ?? settings.futureToleranceMillis
        settings.dedupWindow =
            reader.integer("dedup_window", in: section, range: 64...65_536) ?? settings.dedupWindow
        settings.redeliveryWindow =
            reader.integer("redelivery_window", in: section, range: 0...4_194_304) ?? settings.redeliveryWindow
        settings.cataloguePath =
            reader.string("catalogue", in: section, describing: "a file path") ?? settings.cataloguePath
        settings.strictMetrics = reader.bool("strict_metrics", in: section) ?? settings.strictMetrics
        return settings
    }

    // MARK: - rollup

    private static func readRollup(_ node: Node?, reader: inout ConfigNodeReader) -> RollupSettings {
        var settings = RollupSettings()
        guard let section = reader.section(node, key: "rollup", allowedKeys: rollupKeys) else {
            return settings
        }
        if let tiers = readTiers(section, reader: &reader) {
            settings.tiers = tiers
        }
        settings.allowedLatenessMillis =
            reader.duration("allowed_lateness", in: section, range: 0...hour)
            ?? settings.allowedLatenessMillis
        settings.stateHorizonMillis =
            reader.duration("state_horizon", in: section, range: second...7 * day)
            ?? settings.stateHorizonMillis
        return settings
    }

    private static func readTiers(_ section: ConfigNodeReader.Section, reader: inout ConfigNodeReader)
        -> [Tier]?
    {
        guard
            let items = reader.list(
                "tiers", in: section, describing: "a list of window lengths like [10s, 1m, 1h]")
        else {
            return nil
        }
        if items.isEmpty {
            reader.report(
                "expected at least one window length, got an empty list", key: "rollup.tiers",
                at: section.node("tiers"))
            return nil
        }
        var tiers: [Tier] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let key = "rollup.tiers[\(index)]"
            guard let millis = reader.duration(item, key: key, range: second...7 * day) else {
                valid = false
                continue
            }
            let tier = Tier(name: ConfigValueParsers.durationText(millis: millis), lengthMillis: millis)
            if let previous = tiers.last {
                if millis <= previous.lengthMillis {
                    reader.report(
                        "expected tiers from shortest to longest, got \(tier.name) after \(previous.name)",
                        key: key, at: item)
                    valid = false
                } else if millis % previous.lengthMillis != 0 {
                    reader.report(
                        "expected a whole multiple of the previous tier \(previous.name) so that "
                            + "windows nest, got \(tier.name)",
                        key: key, at: item)
                    valid = false
                }
            }
            tiers.append(tier)
        }
        return valid ? tiers : nil
    }

    // MARK: - storage

    private static func readStorage(_ node: Node?, reader: inout ConfigNodeReader) -> StorageSettings {
        var settings = StorageSettings()
        guard let section = reader.section(node, key: "storage", allowedKeys: storageKeys) else {
            return settings
        }
        settings.dataDirectory =
            reader.string("data_directory", in: section, describing: "a directory path")
            ?? settings.dataDirectory
        settings.rollupLog = readLogPolicy(
            section.node("rollup_log"), key: "storage.rollup_log", default: settings.rollupLog,
            reader: &reader)
        settings.quarantineLog = readLogPolicy(
            section.node("quarantine_log"), key: "storage.quarantine_log", default: settings.quarantineLog,
            reader: &reader)
        if let bytes = reader.byteSize("quarantine_payload_excerpt", in: section, range: 0...64 << 10) {
            settings.quarantinePayloadExcerptBytes = Int(bytes)
        }
        settings.quarantineExcerptsPerSecond =
            reader.integer("quarantine_excerpts_per_second", in: section, range: 0...1_000_000)
            ?? settings.quarantineExcerptsPerSecond
        if let bytes = reader.byteSize("quarantine_max_line", in: section, range: 1 << 10...1 << 20) {
            settings.quarantineMaxLineBytes = Int(bytes)
        }
        settings.quarantineReadingsPerMessage =
            reader.integer("quarantine_readings_per_message", in: section, range: 1...1_000_000)
            ?? settings.quarantineReadingsPerMessage
        settings.checkpointIntervalMillis =
            reader.duration("checkpoint_interval", in: section, range: 100...hour) ?? settings.checkpointIntervalMillis
        return settings
    }

    private static func readLogPolicy(
        _ node: Node?, key: String, default policy: LogPolicy, reader: inout ConfigNodeReader
    ) -> LogPolicy {
        var policy = policy
        guard let section = reader.section(node, key: key, allowedKeys: logPolicyKeys) else {
            return policy
        }
        policy.maxSegmentBytes =
            reader.byteSize("segment_max", in: section, range: 64 << 10...64 << 30) ?? policy.maxSegmentBytes
        policy.maxSegmentAgeMillis =
            reader.duration("segment_max_age", in: section, range: second...30 * day)
            ?? policy.maxSegmentAgeMillis
        if let bytes = reader.byteSize("retain_size", in: section, range: 1 << 20...1 << 50) {
            policy.retainBytes = Int64(bytes)
        }
        if let millis = reader.duration("retain_age", in: section, range: hour...100 * 365 * day) {
            policy.retainAgeMillis = millis
        }
        var intervalMillis: Int64 = 1_000
        if case .interval(let milliseconds) = policy.fsync {
            intervalMillis = milliseconds
        }
        intervalMillis =
            reader.duration("fsync_interval", in: section, range: 10...hour) ?? intervalMillis
        switch reader.choice("fsync", in: section, options: ["interval", "always", "never"]) {
        case "always": policy.fsync = .always
        case "never": policy.fsync = .never
        case "interval": policy.fsync = .interval(milliseconds: intervalMillis)
        default:
            if case .interval = policy.fsync {
                policy.fsync = .interval(milliseconds: intervalMillis)
            }
        }
        return policy
    }

    // MARK: - logging

    private static func readLogging(_ node: Node?, reader: inout ConfigNodeReader) -> LoggingSettings {
        var settings = LoggingSettings()
        guard let section = reader.section(node, key: "logging", allowedKeys: loggingKeys) else {
            return settings
        }
        settings.level =
            reader.choice("level", in: section, options: LoggingSettings.levels) ?? settings.level
        if let millis = reader.duration("status_interval", in: section, range: 0...day, wholeSeconds: true) {
            settings.statusIntervalSeconds = Int(millis / second)
        }
        return settings
    }
}
