import Telemetry

/// One entry of `ingest.subscriptions`: the messages whose topic fits a pattern (or, for
/// Sparkplug B, an MQTT filter), and the format they are read in. The loader has checked the
/// pattern (a `TopicPattern` builds from it with the levels the format requires) and its MQTT
/// filter.
enum IngestSubscription: Sendable, Equatable {
    /// JSON messages (the wire contract); the pattern names the park, site and device.
    case json(topicPattern: String)
    /// InfluxDB line protocol read as `options` says; the pattern names the levels no tag does.
    case line(topicPattern: String, options: LineProtocolOptions)
    /// Sparkplug B 3.0.0: the gateway is a host application, on the topics of `settings.topicFilter`.
    case sparkplugB(SparkplugHostSettings)

    /// The formats `format:` accepts.
    static let formats = ["json", "line", "sparkplug_b"]

    /// `json`, `line` or `sparkplug_b`, as written in the config.
    var format: String {
        switch self {
        case .json: "json"
        case .line: "line"
        case .sparkplugB: "sparkplug_b"
        }
    }

    /// The `topic` as written (after defaults): a topic pattern, or a Sparkplug B entry's MQTT filter.
    var topic: String {
        switch self {
        case .json(let pattern), .line(let pattern, _): pattern
        case .sparkplugB(let settings): settings.topicFilter
        }
    }

    /// The MQTT filter subscribed to for it when `mqtt.topics` is not set: the pattern with
    /// every `{name}` level as `+`, or a Sparkplug B entry's filter as it is. (A Sparkplug B
    /// host's own STATE topic is subscribed to besides, always: `MQTTSource+Sparkplug.swift`.)
    var mqttFilter: String {
        switch self {
        case .json(let pattern), .line(let pattern, _): ConfigValueParsers.topicFilter(ofPattern: pattern)
        case .sparkplugB(let settings): settings.topicFilter
        }
    }

    /// One line for `gateway check-config`: the pattern, and a line subscription's options
    /// (`plant/{park}/{site}: precision ms, device tag host, metric measurement_field`) or the
    /// Sparkplug B host's (`spBv1.0/#: host id "gw-1", STATE on spBv1.0/STATE/gw-1, rebirth interval 5s`).
    var summary: String {
        switch self {
        case .json(let pattern):
            return pattern
        case .line(let pattern, let options):
            let tags = [("park", options.parkTag), ("site", options.siteTag), ("device", options.deviceTag)]
                .compactMap { level, tag in tag.map { "\(level) tag \(ConfigNodeReader.quoted($0))" } }
            let parts = ["precision \(options.precision.rawValue)"] + tags + ["metric \(options.metricNaming.rawValue)"]
            return "\(pattern): \(parts.joined(separator: ", "))"
        case .sparkplugB(let settings):
            let interval = ConfigValueParsers.durationText(millis: settings.rebirthIntervalMillis)
            return "\(settings.topicFilter): host id \(ConfigNodeReader.quoted(settings.hostID)), "
                + "STATE on \(settings.stateTopic), rebirth interval \(interval)"
        }
    }
}
