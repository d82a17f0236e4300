import Telemetry
import Yams

/// How `ingest.subscriptions` is read: a list of mappings, each a `format`, a `topic` pattern
/// and, for line protocol, how its lines name devices and metrics (a Sparkplug B entry:
/// `ConfigKeys+SparkplugSubscription.swift`). At most one entry is JSON and one Sparkplug B; a
/// line entry that an entry tried before it would always take is refused, as it would never
/// receive a message. It replaces `ingest.topic_pattern` (`checkSubscriptionsAlone`).
extension ConfigKeys {
    /// The keys only a line protocol subscription takes.
    static let lineSubscriptionKeys = ["precision", "park_tag", "site_tag", "device_tag", "metric"]

    /// Every key of a subscription, in the order unknown-key messages list them.
    static let subscriptionKeys = ["format", "topic"] + lineSubscriptionKeys + sparkplugSubscriptionKeys

    /// The keys only one format takes, with that format: any other format's entry refuses them.
    private static let formatOnlyKeys = [("line", lineSubscriptionKeys), ("sparkplug_b", sparkplugSubscriptionKeys)]

    /// One entry read, with the nodes later rules report at.
    private struct ReadSubscription {
        let subscription: IngestSubscription
        let format: Node?
        let topic: Node?
    }

    /// `ingest.subscriptions`: kept only when every entry is valid; its JSON entry's pattern
    /// becomes `settings.topicPattern`.
    static func readSubscriptions(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout IngestSettings
    ) {
        let example = #"[{format: json, topic: "iiot/{park}/{site}/{device}/telemetry"}]"#
        guard let items = reader.list(name, in: section, describing: "a list of subscriptions like \(example)") else {
            return
        }
        let key = section.path(name)
        if items.isEmpty {
            reader.report("expected at least one subscription, got an empty list", key: key, at: section.node(name))
            return
        }
        var entries: [ReadSubscription] = []
        var jsonIndex: Int?
        var sparkplugIndex: Int?
        for (index, item) in items.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard let entry = readSubscription(item, key: itemKey, reader: &reader) else { continue }
            switch entry.subscription {
            case .json:
                if let jsonIndex {
                    reader.report(
                        "a second json subscription: JSON messages have one topic pattern, and \(key)[\(jsonIndex)] "
                            + "gives it; list one json subscription at most",
                        key: "\(itemKey).format", at: entry.format)
                    continue
                }
                jsonIndex = index
            case .sparkplugB:
                if let sparkplugIndex {
                    reader.report(
                        "a second sparkplug_b subscription: the gateway is one Sparkplug host application, and "
                            + "\(key)[\(sparkplugIndex)] configures it; list one sparkplug_b subscription at most "
                            + "(its topic filter can take several groups, or spBv1.0/# all of them)",
                        key: "\(itemKey).format", at: entry.format)
                    continue
                }
                sparkplugIndex = index
            case .line:
                break
            }
            entries.append(entry)
        }
        guard entries.count == items.count else { return }
        let subscriptions = entries.map(\.subscription)
        let jsonPattern = jsonIndex.map { subscriptions[$0].topic } ?? settings.topicPattern
        guard reportUnreachable(entries, jsonIndex: jsonIndex, jsonPattern: jsonPattern, key: key, reader: &reader) else {
            return
        }
        settings.topicPattern = jsonPattern
        settings.subscriptions = subscriptions
    }

    /// `subscriptions` replaces `topic_pattern`: both set is an error at `topic_pattern`.
    static func checkSubscriptionsAlone(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ settings: inout IngestSettings,
        _ keysValid: Bool
    ) {
        guard let pattern = section.node("topic_pattern"), section.node("subscriptions") != nil else { return }
        let topic = pattern.scalar.map { ConfigNodeReader.quoted($0.string) } ?? "…"
        reader.report(
            "topic_pattern and subscriptions cannot both be set: move this pattern into subscriptions as "
                + "{format: json, topic: \(topic)}",
            key: section.path("topic_pattern"), at: pattern)
    }

    /// One entry: a mapping with `format` and `topic`, and for `line` or `sparkplug_b` its
    /// options. `nil` when anything in it is wrong (every problem reported).
    private static func readSubscription(
        _ item: Node, key: String, reader: inout ConfigNodeReader
    ) -> ReadSubscription? {
        guard item.mapping != nil else {
            reader.report(
                "expected a subscription: a mapping with format and topic, got \(ConfigNodeReader.describe(item))",
                key: key, at: item)
            return nil
        }
        let issuesBefore = reader.issues.count
        let forbidden = keysRefused(byFormat: item.mapping?["format"]?.scalar?.string)
        guard
            let entry = reader.section(
                item, key: key, allowedKeys: subscriptionKeys.filter { forbidden[$0] == nil }, forbiddenKeys: forbidden)
        else {
            return nil
        }
        let format = readFormat(entry, key: key, reader: &reader)
        if format == "sparkplug_b" {
            let host = readSparkplugHost(entry, reader: &reader)
            guard reader.issues.count == issuesBefore, let host else { return nil }
            return ReadSubscription(subscription: .sparkplugB(host), format: entry.node("format"), topic: entry.node("topic"))
        }
        var options = LineProtocolOptions()
        if format == "line" {
            readLineOptions(entry, into: &options, reader: &reader)
        }
        let required: [String] =
            switch format {
            case "json": ConfigValueParsers.topicPatternNames
            case "line": options.levelsFromTopic
            // Without a valid format, the pattern is still checked for what every pattern must be.
            default: []
            }
        let pattern = readPattern(entry, key: key, required: required, lineProtocol: format == "line", reader: &reader)
        guard reader.issues.count == issuesBefore, let format, let pattern else { return nil }
        return ReadSubscription(
            subscription: format == "json" ? .json(topicPattern: pattern) : .line(topicPattern: pattern, options: options),
            format: entry.node("format"), topic: entry.node("topic"))
    }

    /// The keys an entry of format `format` refuses, each with its message: the keys only another
    /// format takes. None when the format is missing or unknown (that is reported on its own).
    private static func keysRefused(byFormat format: String?) -> [String: String] {
        guard let format, IngestSubscription.formats.contains(format) else { return [:] }
        var refused: [String: String] = [:]
        for (owner, keys) in formatOnlyKeys where owner != format {
            for name in keys {
                refused[name] = "\(name) is for format: \(owner); a \(format) subscription does not take it"
            }
        }
        return refused
    }

    /// `format`: required, `json`, `line` or `sparkplug_b`.
    private static func readFormat(
        _ entry: ConfigNodeReader.Section, key: String, reader: inout ConfigNodeReader
    ) -> String? {
        guard entry.node("format") != nil else {
            reader.report(
                "format is required: \(ConfigNodeReader.alternatives(IngestSubscription.formats))", key: key,
                mark: entry.mark)
            return nil
        }
        return reader.choice("format", in: entry, options: IngestSubscription.formats)
    }

    /// `topic`: required, a pattern naming every level in `required` (for a line subscription,
    /// those no tag names), whose MQTT filter is valid.
    private static func readPattern(
        _ entry: ConfigNodeReader.Section, key: String, required: [String], lineProtocol: Bool,
        reader: inout ConfigNodeReader
    ) -> String? {
        guard entry.node("topic") != nil else {
            reader.report(
                "topic is required: a topic pattern like iiot/{park}/{site}/{device}/telemetry", key: key,
                mark: entry.mark)
            return nil
        }
        guard let pattern = reader.string("topic", in: entry, describing: "a topic pattern") else { return nil }
        let problems = ConfigValueParsers.topicPatternProblems(pattern, required: required, lineProtocol: lineProtocol)
        for problem in problems {
            reader.report(problem, key: entry.path("topic"), at: entry.node("topic"))
        }
        guard problems.isEmpty else { return nil }
        let filter = ConfigValueParsers.topicFilter(ofPattern: pattern)
        if let problem = ConfigValueParsers.topicFilterProblem(filter) {
            reader.report("its MQTT filter is not valid: \(problem)", key: entry.path("topic"), at: entry.node("topic"))
            return nil
        }
        return pattern
    }

    /// A line subscription's `precision`, tags and `metric`; each wrong one reported, the rest kept.
    private static func readLineOptions(
        _ entry: ConfigNodeReader.Section, into options: inout LineProtocolOptions, reader: inout ConfigNodeReader
    ) {
        let precisions = LineProtocolOptions.Precision.allCases.map(\.rawValue)
        if let text = reader.choice("precision", in: entry, options: precisions),
            let precision = LineProtocolOptions.Precision(rawValue: text)
        {
            options.precision = precision
        }
        for (name, keyPath) in [
            ("park_tag", \LineProtocolOptions.parkTag), ("site_tag", \.siteTag), ("device_tag", \.deviceTag),
        ] {
            options[keyPath: keyPath] = reader.string(
                name, in: entry, describing: "a tag key like \(name.dropLast(4))", nullMeansAbsent: true)
        }
        let namings = LineProtocolOptions.MetricNaming.allCases.map(\.rawValue)
        if let text = reader.choice("metric", in: entry, options: namings),
            let naming = LineProtocolOptions.MetricNaming(rawValue: text)
        {
            options.metricNaming = naming
        }
    }

    /// Reports each line entry that an entry tried before it (the JSON pattern, then the line
    /// entries in order) always takes; true when there is none.
    private static func reportUnreachable(
        _ entries: [ReadSubscription], jsonIndex: Int?, jsonPattern: String, key: String, reader: inout ConfigNodeReader
    ) -> Bool {
        let jsonName =
            jsonIndex.map { "the json subscription \(key)[\($0)]" } ?? "the JSON pattern (no json subscription is listed)"
        var before: [(name: String, pattern: String)] = [(jsonName, jsonPattern)]
        var reachable = true
        for (index, entry) in entries.enumerated() {
            guard case .line(let pattern, _) = entry.subscription else { continue }
            if let earlier = before.first(where: { covers($0.pattern, pattern) }) {
                reader.report(
                    "never receives a message: every topic it fits also fits \(earlier.name), "
                        + "\(ConfigNodeReader.quoted(earlier.pattern)), which is tried first",
                    key: "\(key)[\(index)].topic", at: entry.topic)
                reachable = false
            }
            before.append(("\(key)[\(index)]", pattern))
        }
        return reachable
    }

    /// Whether every topic that fits valid pattern `pattern` also fits valid pattern `general`:
    /// as many levels, each of `general`'s either named (any non-empty level) or the same literal.
    static func covers(_ general: String, _ pattern: String) -> Bool {
        func levels(_ text: String) -> [(named: Bool, text: String)] {
            text.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map { scalars in
                (scalars.first == "{" && scalars.last == "}" && scalars.count >= 2, String(String.UnicodeScalarView(scalars)))
            }
        }
        let generalLevels = levels(general)
        let patternLevels = levels(pattern)
        guard generalLevels.count == patternLevels.count else { return false }
        return zip(generalLevels, patternLevels).allSatisfy { general, level in
            general.named ? level.named || !level.text.isEmpty : !level.named && general.text == level.text
        }
    }
}
