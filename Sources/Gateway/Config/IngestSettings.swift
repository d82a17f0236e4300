/// How incoming MQTT messages are buffered, bounded and checked before aggregation.
struct IngestSettings: Sendable, Equatable {
    /// Topic shape of JSON messages, with named segments; always contains `{park}`, `{site}` and
    /// `{device}` exactly once, every other segment a literal. `topic_pattern`, or the json
    /// entry of `subscriptions`.
    var topicPattern = "iiot/{park}/{site}/{device}/telemetry"
    /// `ingest.subscriptions` as listed, or `nil` when the key is not set (JSON on `topicPattern`
    /// alone). At most one entry is JSON, and its pattern is `topicPattern`; at most one is
    /// Sparkplug B (`sparkplugHost`).
    var subscriptions: [IngestSubscription]?
    /// Capacity of the ring between the MQTT thread and the pipeline: a power of two from
    /// 1 MiB to 4 GiB. When it is full the MQTT thread waits (back-pressure, never loss).
    var ringBytes = 64 << 20
    /// Larger payloads are quarantined as `payload_too_large` without being parsed.
    var maxPayloadBytes = 65_536
    /// Messages with more readings are quarantined as `too_many_readings`.
    var maxReadingsPerMessage = 1_000
    /// Longer topics are quarantined as `topic_too_long` before they are parsed.
    var maxTopicBytes = 256
    /// Longer park, site, device, metric or state names are quarantined as `name_too_long`.
    var maxNameBytes = 128
    /// Messages delivered with MQTT's retain flag are skipped (`retained_skipped` in the status)
    /// unless this is true: the broker re-sends its retained copy on every subscribe.
    var acceptRetained = false
    /// Most series (and devices) held in memory; readings of new series beyond it are
    /// quarantined as `cardinality_limit`, so a flood of invented names cannot exhaust memory.
    var maxSeries = 250_000
    /// A device silent this long with no state still in force is retired, with its series.
    var retireAfterMillis: Int64 = 3_600_000
    /// Readings stamped further than this ahead of the receive time are `future_timestamp`.
    var futureToleranceMillis: Int64 = 300_000
    /// Sequence numbers remembered per device for `duplicate_seq` detection (64 … 65536).
    var dedupWindow = 1_024
    /// Messages without `seq` remembered to recognise them when they arrive again (0 … 4194304;
    /// 0 turns the check off): `duplicate_payload` and counted redeliveries.
    var redeliveryWindow = 65_536
    /// The metric catalogue file as written in the config (`catalogue:`); the loader reads it
    /// relative to the config file's directory.
    var cataloguePath = "metrics.yaml"
    /// Whether metrics missing from the catalogue are quarantined. After loading this equals
    /// `catalogue.strict`: the config's `strict_metrics` when set, else the catalogue's `strict`.
    var strictMetrics = true

    /// All defaults.
    init() {}

    /// The `sparkplug_b` entry of `subscriptions` (at most one), or `nil`: no Sparkplug B.
    var sparkplugHost: SparkplugHostSettings? {
        for case .sparkplugB(let settings) in subscriptions ?? [] {
            return settings
        }
        return nil
    }
}
