import Telemetry

/// The whole gateway configuration: one value per section of `gateway.yaml`, plus the metric
/// catalogue the `ingest.catalogue` key names. Built by `ConfigLoader`, which guarantees every
/// field is within its documented range.
struct GatewayConfig: Sendable {
    /// Broker connection and subscriptions.
    var mqtt: MQTTSettings
    /// Buffering, limits and checks on incoming messages.
    var ingest: IngestSettings
    /// Window tiers and lateness.
    var rollup: RollupSettings
    /// Rollup and quarantine log locations and policies.
    var storage: StorageSettings
    /// The query index and the limits on queries.
    var query: QuerySettings
    /// The HTTP API.
    var http: HTTPSettings
    /// The gateway's own logging.
    var logging: LoggingSettings
    /// Metrics known to the gateway; its `strict` equals `ingest.strictMetrics`.
    var catalogue: MetricCatalogue
    /// The config file this came from, `nil` for built-in defaults.
    var sourcePath: String?

    /// Creates a configuration; every section defaults to its documented defaults.
    init(
        mqtt: MQTTSettings = MQTTSettings(), ingest: IngestSettings = IngestSettings(),
        rollup: RollupSettings = RollupSettings(), storage: StorageSettings = StorageSettings(),
        query: QuerySettings = QuerySettings(), http: HTTPSettings = HTTPSettings(),
        logging: LoggingSettings = LoggingSettings(), catalogue: MetricCatalogue,
        sourcePath: String? = nil
    ) {
        self.mqtt = mqtt
        self.ingest = ingest
        self.rollup = rollup
        self.storage = storage
        self.query = query
        self.http = http
        self.logging = logging
        self.catalogue = catalogue
        self.sourcePath = sourcePath
    }

    /// The rollup log's policy as the engine runs it: `storage.rollup_log` plus
    /// `rollup.retention`, which governs the log's rotated segments as well as the query index.
    var rollupLogPolicy: LogPolicy {
        var policy = storage.rollupLog
        policy.retainTierMillis = rollup.retentionMillis
        return policy
    }

    /// Every setting at its default, with `catalogue` (there is no built-in catalogue: it lives
    /// in `metrics.yaml`); `ingest.strictMetrics` follows the catalogue's `strict`.
    static func defaults(catalogue: MetricCatalogue) -> GatewayConfig {
        var config = GatewayConfig(catalogue: catalogue)
        config.ingest.strictMetrics = catalogue.strict
        return config
    }
}
