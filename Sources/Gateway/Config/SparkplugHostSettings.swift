import Telemetry

/// The `sparkplug_b` entry of `ingest.subscriptions`: the gateway as a Sparkplug B 3.0.0 host
/// application. The loader has checked every field: `topicFilter` is a valid MQTT filter in the
/// `spBv1.0/` namespace and `hostID` is a valid topic level, so `stateTopic` is a valid topic.
struct SparkplugHostSettings: Sendable, Equatable {
    /// The first level of every Sparkplug B topic. (The config code imports no Sparkplug module:
    /// the fuzz build compiles `Config/` alone.)
    static let namespace = "spBv1.0"
    /// `topic` when not set: the whole namespace, every group.
    static let defaultTopicFilter = "spBv1.0/#"
    /// `host_id` when not set.
    static let defaultHostID = "telemetry-gateway"

    /// The MQTT filter subscribed to for the edge nodes' messages, e.g. `spBv1.0/#` or
    /// `spBv1.0/plant-a/#` for one group.
    var topicFilter = SparkplugHostSettings.defaultTopicFilter
    /// The Sparkplug Host Application id: the last level of the gateway's own STATE topic, which
    /// edge nodes that depend on this host watch.
    var hostID = SparkplugHostSettings.defaultHostID
    /// The shortest time between two rebirth requests to one edge node.
    var rebirthIntervalMillis = SparkplugSubscription.defaultRebirthIntervalMillis

    /// All defaults.
    init() {}

    /// `spBv1.0/STATE/{host_id}`: where the gateway publishes its online state (retained, QoS 1)
    /// and where the broker publishes its will when the connection is lost.
    var stateTopic: String { "\(Self.namespace)/STATE/\(hostID)" }

    /// What the pipeline needs of it.
    var pipelineSubscription: SparkplugSubscription {
        SparkplugSubscription(rebirthIntervalMillis: rebirthIntervalMillis)
    }
}
