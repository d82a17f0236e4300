import Yams

/// How a `sparkplug_b` entry of `ingest.subscriptions` is read: an optional `topic` (an MQTT
/// filter in the `spBv1.0/` namespace, not a pattern: Sparkplug topics name their group and edge
/// node themselves), the host application's `host_id` (a level of its STATE topic) and the
/// `rebirth_interval` the pipeline keeps between two rebirth requests to one edge node.
extension ConfigKeys {
    /// The keys only a Sparkplug B subscription takes.
    static let sparkplugSubscriptionKeys = ["host_id", "rebirth_interval"]

    /// `rebirth_interval`'s range: below 100 ms a failing edge node would be flooded with
    /// requests; above an hour it would stay unreadable for too long after one lost message.
    static let rebirthIntervalRange: ClosedRange<Int64> = 100...hour

    /// A Sparkplug B entry's settings (defaults for what is not set), or `nil` when any of its
    /// keys is wrong (every problem reported).
    static func readSparkplugHost(
        _ entry: ConfigNodeReader.Section, reader: inout ConfigNodeReader
    ) -> SparkplugHostSettings? {
        let issuesBefore = reader.issues.count
        var settings = SparkplugHostSettings()
        if let filter = readSparkplugTopic(entry, reader: &reader) {
            settings.topicFilter = filter
        }
        if let hostID = readHostID(entry, reader: &reader) {
            settings.hostID = hostID
        }
        if let millis = reader.duration("rebirth_interval", in: entry, range: rebirthIntervalRange) {
            settings.rebirthIntervalMillis = millis
        }
        return reader.issues.count == issuesBefore ? settings : nil
    }

    /// `topic`: a valid MQTT filter starting with `spBv1.0/`, no `{name}` level; `nil` when not
    /// set (the default) or wrong (reported).
    private static func readSparkplugTopic(
        _ entry: ConfigNodeReader.Section, reader: inout ConfigNodeReader
    ) -> String? {
        let example = "spBv1.0/# or spBv1.0/plant-a/#"
        guard let filter = reader.string("topic", in: entry, describing: "an MQTT topic filter like \(example)") else {
            return nil
        }
        let key = entry.path("topic")
        let node = entry.node("topic")
        guard filter.utf8.starts(with: "\(SparkplugHostSettings.namespace)/".utf8) else {
            reader.report(
                "expected an MQTT topic filter in the Sparkplug B namespace, starting with "
                    + "\(SparkplugHostSettings.namespace)/ (like \(example)), got \(ConfigNodeReader.quoted(filter))",
                key: key, at: node)
            return nil
        }
        if let problem = ConfigValueParsers.topicFilterProblem(filter) {
            reader.report(problem, key: key, at: node)
            return nil
        }
        let levels = filter.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
        if let level = levels.first(where: { $0.count >= 2 && $0.first == "{" && $0.last == "}" }) {
            let name = String(String.UnicodeScalarView(level))
            reader.report(
                "a sparkplug_b topic is an MQTT filter, not a topic pattern: Sparkplug topics name their group, "
                    + "edge node and device themselves; write + instead of \(name) (like spBv1.0/+/NDATA/+)",
                key: key, at: node)
            return nil
        }
        return filter
    }

    /// `host_id`: non-empty, without `+`, `/`, `#` or NUL, as it is one level of the STATE topic;
    /// `nil` when not set (the default) or wrong (reported).
    private static func readHostID(_ entry: ConfigNodeReader.Section, reader: inout ConfigNodeReader) -> String? {
        let example = SparkplugHostSettings.defaultHostID
        guard let hostID = reader.string("host_id", in: entry, describing: "a Sparkplug host id like \(example)") else {
            return nil
        }
        let key = entry.path("host_id")
        let node = entry.node("host_id")
        if hostID.unicodeScalars.contains(where: { "+/#\0".unicodeScalars.contains($0) }) {
            reader.report(
                "expected a Sparkplug host id without '+', '/', '#' or NUL (it is one level of the topic "
                    + "spBv1.0/STATE/{host_id}), got \(ConfigNodeReader.quoted(hostID))",
                key: key, at: node)
            return nil
        }
        var settings = SparkplugHostSettings()
        settings.hostID = hostID
        if let problem = ConfigValueParsers.topicFilterProblem(settings.stateTopic) {
            reader.report("its STATE topic is not valid: \(problem)", key: key, at: node)
            return nil
        }
        return hostID
    }
}
