import Telemetry

/// One entry of `ingest.subscriptions`: the messages whose topic fits a pattern, and the format
/// they are read in. The loader has checked the pattern (a `TopicPattern` builds from it with
/// the levels the format requires) and its MQTT filter.
enum IngestSubscription: Sendable, Equatable {
    /// JSON messages (the wire contract); the pattern names the park, site and device.
    case json(topicPattern: String)
    /// InfluxDB line protocol read as `options` says; the pattern names the levels no tag does.
    case line(topicPattern: String, options: LineProtocolOptions)

    /// The formats `format:` accepts.
    static let formats = ["json", "line"]
    /// Formats that are planned but not read yet, refused with "not supported yet".
    static let plannedFormats = ["sparkplug_b"]

    /// `json` or `line`, as written in the config.
    var format: String {
        switch self {
        case .json: "json"
        case .line: "line"
        }
    }

    /// The topic pattern as written.
    var topicPattern: String {
        switch self {
        case .json(let pattern), .line(let pattern, _): pattern
        }
    }

    /// The MQTT filter subscribed to for it when `mqtt.topics` is not set: the pattern with
    /// every `{name}` level as `+`.
    var mqttFilter: String {
        ConfigValueParsers.topicFilter(ofPattern: topicPattern)
    }

    /// One line for `gateway check-config`: the pattern, and a line subscription's options
    /// (`plant/{park}/{site}: precision ms, device tag host, metric measurement_field`).
    var summary: String {
        guard case .line(let pattern, let options) = self else { return topicPattern }
        let tags = [("park", options.parkTag), ("site", options.siteTag), ("device", options.deviceTag)]
            .compactMap { level, tag in tag.map { "\(level) tag \(ConfigNodeReader.quoted($0))" } }
        let parts = ["precision \(options.precision.rawValue)"] + tags + ["metric \(options.metricNaming.rawValue)"]
        return "\(pattern): \(parts.joined(separator: ", "))"
    }
}
