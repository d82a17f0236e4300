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
        "topic_pattern", "ring_size", "max_payload", "max_readings_per_message",
        "future_tolerance", "dedup_window", "catalogue", "strict_metrics",
    ]
    /// Keys of `rollup:`.
    static let rollupKeys = ["tiers", "allowed_lateness", "state_horizon"]
    /// Keys of `storage:`.
    static let storageKeys = ["data_directory", "rollup_log", "quarantine_log", "quarantine_payload_excerpt"]
    /// Keys of `storage.rollup_log:` and `storage.quarantine_log:`.
    static let logPolicyKeys = ["segment_max", "segment_max_age", "fsync", "fsync_interval"]
    /// Keys of `logging:`.
    static let loggingKeys = ["level", "status_interval"]

    private static let passwordKeyMessage =
        "a password is never read from the config file; set password_env to the name of an "
        + "environment variable that holds it, or password_file to a file whose first line is it"
    private static let second: Int64 = 1_000
    private static let minute: Int64 = 60_000
    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000

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

    // MARK: - mqtt

    private static func readMQTT(
        _ node: Node?, reader: inout ConfigNodeReader, baseDirectory: String
    ) -> MQTTSettings {
        var settings = MQTTSettings()
        guard
            let section = reader.section(
                node, key: "mqtt", allowedKeys: mqttKeys, forbiddenKeys: ["password": passwordKeyMessage])
        else {
            return settings
        }
        if let host = reader.string("host", in: section, describing: "a host name or IP address") {
            if host.contains(where: \.isWhitespace) {
                reader.report(
                    "expected a host name or IP address without spaces, got \(ConfigNodeReader.quoted(host))",
                    key: "mqtt.host", at: section.node("host"))
            } else {
                settings.host = host
            }
        }
        settings.port = reader.integer("port", in: section, range: 1...65_535) ?? settings.port
        if let node = section.node("protocol") {
            if let text = node.scalar?.string, let version = MQTTProtocolVersion(configText: text) {
                settings.protocolVersion = version
            } else {
                reader.report(
                    "expected \"5\" or \"3.1.1\", got \(ConfigNodeReader.describe(node))",
                    key: "mqtt.protocol", at: node)
            }
        }
        if let clientID = reader.string("client_id", in: section) {
            if clientID.utf8.count > 65_535 {
                reader.report(
                    "expected at most 65535 bytes, got \(clientID.utf8.count)",
                    key: "mqtt.client_id", at: section.node("client_id"))
            } else {
                settings.clientID = clientID
            }
        }
        if let millis = reader.duration(
            "keepalive", in: section, range: 5 * second...65_535 * second, wholeSeconds: true)
        {
            settings.keepaliveSeconds = Int(millis / second)
        }
        settings.cleanSession = reader.bool("clean_session", in: section) ?? settings.cleanSession
        settings.qos = reader.integer("qos", in: section, range: 0...2) ?? settings.qos
        settings.topics = readTopics(section, reader: &reader) ?? settings.topics
        readCredentials(section, into: &settings, reader: &reader, baseDirectory: baseDirectory)
        settings.tls = readTLS(section.node("tls"), reader: &reader, baseDirectory: baseDirectory)
        if let reconnect = reader.section(
            section.node("reconnect"), key: "mqtt.reconnect", allowedKeys: reconnectKeys)
        {
            readReconnect(reconnect, into: &settings, reader: &reader)
        }
        return settings
    }

    private static func readReconnect(
        _ section: ConfigNodeReader.Section, into settings: inout MQTTSettings, reader: inout ConfigNodeReader
    ) {
        let issuesBefore = reader.issues.count
        if let millis = reader.duration("initial", in: section, range: second...hour, wholeSeconds: true) {
            settings.reconnectInitialSeconds = Int(millis / second)
        }
        if let millis = reader.duration("max", in: section, range: second...day, wholeSeconds: true) {
            settings.reconnectMaxSeconds = Int(millis / second)
        }
        guard reader.issues.count == issuesBefore,
            settings.reconnectMaxSeconds < settings.reconnectInitialSeconds
        else {
            return
        }
        let key = section.node("max") == nil ? "initial" : "max"
        reader.report(
            "expected max (\(settings.reconnectMaxSeconds)s) to be at least initial "
                + "(\(settings.reconnectInitialSeconds)s)",
            key: section.path(key), at: section.node(key))
    }

    private static func readTopics(_ section: ConfigNodeReader.Section, reader: inout ConfigNodeReader)
        -> [String]?
    {
        guard
            let items = reader.list(
                "topics", in: section,
                describing: "a list of MQTT topic filters like [\"iiot/+/+/+/telemetry\"]")
        else {
            return nil
        }
        if items.isEmpty {
            reader.report(
                "expected at least one topic filter, got an empty list", key: "mqtt.topics",
                at: section.node("topics"))
            return nil
        }
        var topics: [String] = []
        for (index, item) in items.enumerated() {
            let key = "mqtt.topics[\(index)]"
            guard let filter = reader.string(item, key: key, describing: "an MQTT topic filter") else {
                continue
            }
            if let problem = ConfigValueParsers.topicFilterProblem(filter) {
                reader.report(problem, key: key, at: item)
            } else {
                topics.append(filter)
            }
        }
        return topics.count == items.count ? topics : nil
    }

    private static func readCredentials(
        _ section: ConfigNodeReader.Section, into settings: inout MQTTSettings,
        reader: inout ConfigNodeReader, baseDirectory: String
    ) {
        settings.username = reader.string("username", in: section, nullMeansAbsent: true)
        if let name = reader.string(
            "password_env", in: section, describing: "an environment variable name", nullMeansAbsent: true)
        {
            if isEnvironmentVariableName(name) {
                settings.passwordEnv = name
            } else {
                reader.report(
                    "expected an environment variable name like GATEWAY_MQTT_PASSWORD (letters, "
                        + "digits and _, not starting with a digit), got \(ConfigNodeReader.quoted(name))",
                    key: "mqtt.password_env", at: section.node("password_env"))
            }
        }
        if let path = reader.string(
            "password_file", in: section, describing: "a file path", nullMeansAbsent: true)
        {
            let resolved = ConfigTextFile.resolve(path, against: baseDirectory)
            settings.passwordFile = resolved
            if !FileManager.default.fileExists(atPath: resolved) {
                reader.report(
                    "password file not found: \(resolved)", key: "mqtt.password_file",
                    at: section.node("password_file"))
            }
        }
        if settings.passwordEnv != nil && settings.passwordFile != nil {
            reader.report(
                "set either password_env or password_file, not both", key: "mqtt.password_file",
                at: section.node("password_file"))
        }
        if settings.username == nil, settings.passwordEnv != nil || settings.passwordFile != nil {
            let key = settings.passwordEnv != nil ? "password_env" : "password_file"
            reader.report(
                "a password needs a user name; set mqtt.username", key: "mqtt.\(key)",
                at: section.node(key))
        }
    }

    private static func isEnvironmentVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    private static func readTLS(
        _ node: Node?, reader: inout ConfigNodeReader, baseDirectory: String
    ) -> TLSSettings? {
        guard let section = reader.section(node, key: "mqtt.tls", allowedKeys: tlsKeys) else {
            return nil
        }
        var tls = TLSSettings()
        func path(_ name: String, directory: Bool) -> String? {
            guard
                let text = reader.string(name, in: section, describing: "a file path", nullMeansAbsent: true)
            else {
                return nil
            }
            let resolved = ConfigTextFile.resolve(text, against: baseDirectory)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
            if !exists {
                let what = directory ? "directory" : "file"
                reader.report(
                    "\(what) not found: \(resolved)", key: section.path(name), at: section.node(name))
            } else if isDirectory.boolValue != directory {
                let what = directory ? "a directory of CA certificates" : "a PEM file"
                reader.report(
                    "expected \(what), got \(resolved)", key: section.path(name), at: section.node(name))
            }
            return resolved
        }
        tls.caFile = path("ca_file", directory: false)
        tls.caPath = path("ca_path", directory: true)
        tls.certFile = path("cert_file", directory: false)
        tls.keyFile = path("key_file", directory: false)
        tls.insecure = reader.bool("insecure", in: section) ?? tls.insecure
        if section.node("ca_file") == nil && section.node("ca_path") == nil {
            reader.report(
                "expected ca_file or ca_path, to check the broker's certificate (TLS is on because "
                    + "the tls section is present)",
                key: "mqtt.tls", mark: section.mark)
        }
        if (section.node("cert_file") == nil) != (section.node("key_file") == nil) {
            let present = section.node("cert_file") == nil ? "key_file" : "cert_file"
            let missing = present == "cert_file" ? "key_file" : "cert_file"
            reader.report(
                "\(present) needs \(missing): a client certificate and its private key go together",
                key: section.path(present), at: section.node(present))
        }
        return tls
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
        settings.futureToleranceMillis =
            reader.duration("future_tolerance", in: section, range: 0...day) ?? settings.futureToleranceMillis
        settings.dedupWindow =
            reader.integer("dedup_window", in: section, range: 64...65_536) ?? settings.dedupWindow
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
