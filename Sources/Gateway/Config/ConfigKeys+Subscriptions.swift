import Telemetry
import Yams

/// How `ingest.subscriptions` is read: a list of mappings, each a `format`, a `topic` pattern
/// and, for line protocol, how its lines name devices and metrics. At most one entry is JSON; a
/// line entry that an entry tried before it would always take is refused, as it would never
/// receive a message. It replaces `ingest.topic_pattern` (`checkSubscriptionsAlone`).
extension ConfigKeys {
    /// The keys only a line protocol subscription takes.
    static let lineSubscriptionKeys = ["precision", "park_tag", "site_tag", "device_tag", "metric"]

    /// Every key of a subscription, in the order unknown-key messages list them.
    static let subscriptionKeys = ["format", "topic"] + lineSubscriptionKeys

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
        for (index, item) in items.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard let entry = readSubscription(item, key: itemKey, reader: &reader) else { continue }
            if case .json = entry.subscription {
                if let jsonIndex {
                    reader.report(
                        "a second json subscription: JSON messages have one topic pattern, and \(key)[\(jsonIndex)] "
                            + "gives it; list one json subscription at most",
                        key: "\(itemKey).format", at: entry.format)
                    continue
                }
                jsonIndex = index
            }
            entries.append(entry)
        }
        guard entries.count == items.count else { return }
        let subscriptions = entries.map(\.subscription)
        let jsonPattern = jsonIndex.map { subscriptions[$0].topicPattern } ?? settings.topicPattern
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

    /// One entry: a mapping with `format` and `topic`, and for `line` its options. `nil` when
    /// anything in it is wrong (every problem reported).
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
        let isJSON = item.mapping?["format"]?.scalar?.string == "json"
        let forbidden = isJSON ? lineSubscriptionKeys : []
        guard
            let entry = reader.section(
                item, key: key, allowedKeys: isJSON ? ["format", "topic"] : subscriptionKeys,
                forbiddenKeys: Dictionary(
                    uniqueKeysWithValues: forbidden.map {
                        ($0, "\($0) is for format: line; a json subscription does not take it")
                    }
                ))
        else {
            return nil
        }
        let format = readFormat(entry, key: key, reader: &reader)
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

    /// `format`: required, `json` or `line`; a planned format is "not supported yet".
    private static func readFormat(
        _ entry: ConfigNodeReader.Section, key: String, reader: inout ConfigNodeReader
    ) -> String? {
        guard let node = entry.node("format") else {
            reader.report(
                "format is required: \(ConfigNodeReader.alternatives(IngestSubscription.formats))", key: key,
                mark: entry.mark)
            return nil
        }
        if let text = node.scalar?.string, IngestSubscription.plannedFormats.contains(text) {
            reader.report(
                "format \(text) is not supported yet; expected \(ConfigNodeReader.alternatives(IngestSubscription.formats))",
                key: entry.path("format"), at: node)
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
