// libFuzzer target `ConfigLoader`: every input is the text of a `gateway.yaml` (UTF-8 with
// replacement), read by the gateway's own loader. The loader's sources (Sources/Gateway/Config,
// which import only Foundation, Telemetry and Yams) are compiled into this harness's module by
// scripts/fuzz, so their internal API is this module's own and the rest of the gateway (MQTT,
// SQLite, HTTP) stays out of the link.
//
// Each input goes through:
// 1. `ConfigLoader.parse(yaml:sourcePath:)` with the source in a scratch directory that holds
//    a valid `metrics.yaml`. Accepted: every value is inside the range the loader documents
//    (tiers from shortest to longest, each a multiple of the previous; ring size a power of
//    two; ports, QoS, limits), the topic pattern builds a `TopicPattern`, and so does each line
//    subscription's with the levels its tags leave to the topic; at most one subscription is
//    JSON, with the JSON pattern, and every subscription's MQTT filter is valid. Rejected: at
//    least one issue, each with a message, a line and column together and inside the text.
// 2. `MetricCatalogueLoader.read(yaml:file:)`: accepted metrics have a name that is not a
//    payload key, states only for `state` metrics, a range only for numbers.
// 3. Each of the first lines through `ConfigValueParsers`: a duration or byte size that
//    parses prints back to the same value, and a topic pattern without problems builds a
//    `TopicPattern`, while one `TopicPattern` rejects has problems, both when all three levels
//    are required and when none is (a line subscription whose tags name every level).
// A violated invariant traps. Inputs naming /dev, /proc or /sys are skipped, so the loader
// never opens a device or an endless file as the catalogue.

import Foundation
import Telemetry

/// The checks run on each input; see the file header.
enum ConfigLoaderTarget {
    /// A small valid catalogue the config's default `catalogue: metrics.yaml` resolves to.
    static let catalogueText = """
        strict: true
        metrics:
          temperature_c: {kind: gauge, unit: "°C", min: -40, max: 150}
          energy_kwh: {kind: counter, unit: kWh, min: 0}
          machine_state: {kind: state, states: [running, idle, fault, off]}
        """

    /// `gateway.yaml` in a scratch directory (under `TMPDIR`, which scripts/fuzz removes).
    static let sourcePath: String = {
        let directory = NSTemporaryDirectory() + "/telemetry-fuzz-config-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try catalogueText.write(toFile: directory + "/metrics.yaml", atomically: true, encoding: .utf8)
        } catch {
            fatalError("cannot prepare \(directory): \(error)")
        }
        return directory + "/gateway.yaml"
    }()

    /// `condition` or a trap with `message`.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError(message()) }
    }

    /// All checks of the file header on one input.
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        guard !["/dev", "/proc", "/sys"].contains(where: { text.contains($0) }) else { return }
        checkConfig(text)
        checkCatalogue(text)
        for line in text.split(whereSeparator: \.isNewline).prefix(4) where line.utf8.count <= 256 {
            checkValueParsers(String(line))
        }
    }

    /// Lines the text has, counting every break YAML knows (LF, CR, CRLF, NEL, LS, PS).
    static func lineCount(_ text: String) -> Int {
        text.unicodeScalars.reduce(1) { count, scalar in
            ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) ? count + 1 : count
        }
    }

    /// A rejection must come with issues an operator can act on, placed inside the text.
    static func checkIssues(_ issues: [ConfigIssue], text: String, file: String) {
        require(!issues.isEmpty, "rejected without an issue")
        for issue in issues {
            require(!issue.message.isEmpty, "an issue without a message: \(issue)")
            require((issue.line == nil) == (issue.column == nil), "line without column: \(issue)")
            guard issue.file == file, let line = issue.line, let column = issue.column else { continue }
            require(line >= 1 && line <= lineCount(text) + 1, "line \(line) outside the text: \(issue)")
            require(column >= 1 && column <= text.unicodeScalars.count + 2, "column \(column) outside the text: \(issue)")
        }
    }

    /// Check 1: the config loader, accepted values in range or well-placed issues.
    static func checkConfig(_ text: String) {
        let config: GatewayConfig
        do {
            config = try ConfigLoader.parse(yaml: text, sourcePath: sourcePath)
        } catch {
            checkIssues(error.issues, text: text, file: sourcePath)
            return
        }
        let tiers = config.rollup.tiers
        require(!tiers.isEmpty, "no tiers")
        for (previous, tier) in zip(tiers, tiers.dropFirst()) {
            require(
                tier.lengthMillis > previous.lengthMillis && tier.lengthMillis % previous.lengthMillis == 0,
                "tiers \(previous.name) then \(tier.name) do not nest")
        }
        for tier in tiers {
            require((1_000...7 * 86_400_000).contains(tier.lengthMillis), "tier \(tier.name) out of range")
            require(ConfigValueParsers.durationMillis(tier.name) == tier.lengthMillis, "tier name \(tier.name)")
        }
        let ingest = config.ingest
        require(ingest.ringBytes > 0 && ingest.ringBytes & (ingest.ringBytes - 1) == 0, "ring size \(ingest.ringBytes)")
        require((1 << 20...4 << 30).contains(ingest.ringBytes), "ring size \(ingest.ringBytes)")
        require((64...256 << 20).contains(ingest.maxPayloadBytes), "max payload \(ingest.maxPayloadBytes)")
        require((1...1_000_000).contains(ingest.maxReadingsPerMessage), "max readings \(ingest.maxReadingsPerMessage)")
        require((64...65_536).contains(ingest.dedupWindow), "dedup window \(ingest.dedupWindow)")
        require((0...86_400_000).contains(ingest.futureToleranceMillis), "future tolerance")
        require(ConfigValueParsers.topicPatternProblems(ingest.topicPattern).isEmpty, "topic pattern problems")
        do {
            _ = try TopicPattern(ingest.topicPattern)
        } catch {
            fatalError("the loader accepted topic pattern \(ingest.topicPattern.debugDescription); TopicPattern: \(error)")
        }
        checkSubscriptions(ingest)
        let mqtt = config.mqtt
        require((1...65_535).contains(mqtt.port), "port \(mqtt.port)")
        require((0...2).contains(mqtt.qos), "qos \(mqtt.qos)")
        require(!mqtt.topics.isEmpty, "no topics")
        for topic in mqtt.topics {
            require(ConfigValueParsers.topicFilterProblem(topic) == nil, "topic filter \(topic.debugDescription)")
        }
        require((5...65_535).contains(mqtt.keepaliveSeconds), "keepalive \(mqtt.keepaliveSeconds)")
        require(mqtt.reconnectInitialSeconds <= mqtt.reconnectMaxSeconds, "reconnect back-off")
        require(!mqtt.host.contains(where: \.isWhitespace), "host with spaces")
        require((0...3_600_000).contains(config.rollup.allowedLatenessMillis), "allowed lateness")
        require((0...65_536).contains(config.storage.quarantinePayloadExcerptBytes), "payload excerpt")
        require(LoggingSettings.levels.contains(config.logging.level), "log level \(config.logging.level)")
        checkDefinitions(config.catalogue.definitions)
    }

    /// Accepted subscriptions: one JSON entry at most, carrying the JSON pattern; line entries
    /// whose pattern builds with the levels no tag names; valid MQTT filters; no empty tag key;
    /// one Sparkplug B entry at most, its filter in `spBv1.0/`, its host id one valid topic level.
    static func checkSubscriptions(_ ingest: IngestSettings) {
        guard let subscriptions = ingest.subscriptions else { return }
        require(!subscriptions.isEmpty, "an empty subscription list was accepted")
        require(subscriptions.filter { $0.format == "json" }.count <= 1, "two json subscriptions")
        require(subscriptions.filter { $0.format == "sparkplug_b" }.count <= 1, "two sparkplug_b subscriptions")
        for subscription in subscriptions {
            let pattern = subscription.topic
            require(
                ConfigValueParsers.topicFilterProblem(subscription.mqttFilter) == nil, "filter of \(pattern.debugDescription)")
            switch subscription {
            case .json:
                require(pattern == ingest.topicPattern, "json subscription \(pattern.debugDescription) is not the JSON pattern")
            case .line(_, let options):
                let tags = [options.parkTag, options.siteTag, options.deviceTag]
                require(!tags.contains { $0?.isEmpty == true }, "an empty tag key in \(pattern.debugDescription)")
                do {
                    _ = try TopicPattern(pattern, required: options.levelsFromTopic)
                } catch {
                    fatalError("the loader accepted line subscription \(pattern.debugDescription); TopicPattern: \(error)")
                }
            case .sparkplugB(let host):
                require(host.topicFilter.utf8.starts(with: "spBv1.0/".utf8), "sparkplug filter \(pattern.debugDescription)")
                require(!host.hostID.isEmpty, "an empty sparkplug host id")
                require(
                    !host.hostID.unicodeScalars.contains { "+/#\0".unicodeScalars.contains($0) },
                    "sparkplug host id \(host.hostID.debugDescription)")
                require(ConfigValueParsers.topicFilterProblem(host.stateTopic) == nil, "sparkplug STATE topic")
                require(
                    ConfigKeys.rebirthIntervalRange.contains(host.rebirthIntervalMillis),
                    "rebirth interval \(host.rebirthIntervalMillis)")
                require(ingest.sparkplugHost == host, "sparkplugHost is not the sparkplug_b entry")
            }
        }
    }

    /// Check 2: the same text as a metric catalogue.
    static func checkCatalogue(_ text: String) {
        let file = "fuzz-metrics.yaml"
        let (catalogue, issues) = MetricCatalogueLoader.read(yaml: text, file: file)
        if !issues.isEmpty {
            checkIssues(issues, text: text, file: file)
            return
        }
        require(!catalogue.definitions.isEmpty, "an accepted catalogue without metrics")
        checkDefinitions(catalogue.definitions)
    }

    /// Accepted metrics are consistent with their kind.
    static func checkDefinitions(_ definitions: [MetricDefinition]) {
        for definition in definitions {
            require(!MetricCatalogueLoader.reservedNames.contains(definition.name), "metric named \(definition.name)")
            switch definition.kind {
            case .state:
                require(
                    !definition.states.isEmpty && definition.validRange == nil && definition.unit.isEmpty,
                    "state metric \(definition.name)")
                require(Set(definition.states).count == definition.states.count, "duplicate states")
            case .gauge, .counter:
                require(definition.states.isEmpty, "states on \(definition.name)")
                if let range = definition.validRange {
                    require(!range.lowerBound.isNaN && !range.upperBound.isNaN, "NaN range on \(definition.name)")
                }
            }
        }
    }

    /// Check 3: value parsers round-trip, and both topic-pattern validators agree.
    static func checkValueParsers(_ line: String) {
        if let millis = ConfigValueParsers.durationMillis(line) {
            let printed = ConfigValueParsers.durationText(millis: millis)
            require(
                ConfigValueParsers.durationMillis(printed) == millis, "duration \(line.debugDescription) → \(millis) → \(printed)"
            )
        }
        if let bytes = ConfigValueParsers.byteCount(line) {
            let printed = ConfigValueParsers.byteText(bytes)
            require(ConfigValueParsers.byteCount(printed) == bytes, "byte size \(line.debugDescription) → \(bytes) → \(printed)")
        }
        _ = ConfigValueParsers.topicFilterProblem(line)
        let problems = ConfigValueParsers.topicPatternProblems(line)
        let pattern = try? TopicPattern(line)
        if problems.isEmpty {
            require(pattern != nil, "topic pattern \(line.debugDescription) has no problems but TopicPattern rejects it")
        }
        if pattern == nil {
            require(!problems.isEmpty, "TopicPattern rejects \(line.debugDescription) but the loader sees no problem")
        }
        let lineProblems = ConfigValueParsers.topicPatternProblems(line, required: [])
        let linePattern = try? TopicPattern(line, required: [])
        if lineProblems.isEmpty {
            require(linePattern != nil, "line pattern \(line.debugDescription) has no problems but TopicPattern rejects it")
        }
        if linePattern == nil {
            require(!lineProblems.isEmpty, "TopicPattern rejects line pattern \(line.debugDescription) but the loader sees none")
        }
    }
}

/// libFuzzer's entry point: one input, 0 when done (a violated invariant traps instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    ConfigLoaderTarget.run(input)
    return 0
}
