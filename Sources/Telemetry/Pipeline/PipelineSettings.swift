/// The limits and windowing rules the ingest pipeline applies; built from the gateway config.
public struct PipelineSettings: Sendable {
    /// Messages whose topic fits it are JSON (the wire contract).
    public var topicPattern: TopicPattern
    /// Line protocol subscriptions, tried in order for a topic that does not fit `topicPattern`.
    public var lineSubscriptions: [LineSubscription]
    /// Sparkplug B: topics of the `spBv1.0` namespace are read as Sparkplug B when set, and are
    /// quarantined as `topic_mismatch` (unless `topicPattern` fits them) when nil.
    public var sparkplug: SparkplugSubscription?
    /// Larger payloads are quarantined as `payload_too_large`.
    public var maxPayloadBytes: Int
    /// More readings in one message are quarantined as `too_many_readings`.
    public var maxReadingsPerMessage: Int
    /// Readings stamped further than this after their receive time are `future_timestamp`.
    public var futureToleranceMillis: Int64
    /// Sequence numbers remembered per device for duplicate detection.
    public var dedupWindow: Int
    /// Messages without `seq` remembered (by fingerprint) to recognise them when they arrive
    /// again; 0 turns the check off.
    public var redeliveryWindow: Int
    public var tiers: [Tier]
    public var allowedLatenessMillis: Int64
    public var stateHorizonMillis: Int64
    /// α of the gauge windows' quantile sketches (`QuantileSketch.relativeAccuracyRange`):
    /// every quantile in a rollup is within α of the exact one.
    public var quantileAccuracy: Double
    /// Bytes of the payload copied into a quarantine record.
    public var payloadExcerptBytes: Int
    /// Longer topics are quarantined as `topic_too_long`.
    public var maxTopicBytes: Int
    /// Most series, and most devices, held in memory (`cardinality_limit` beyond): the live
    /// ones, as silent devices are retired after `retireAfterMillis`.
    public var maxSeries: Int
    /// A device silent this long (receive time) with no state still in force is retired
    /// (`IngestPipeline+Retirement.swift`).
    public var retireAfterMillis: Int64
    /// Quarantine records per second that carry a payload excerpt; the rest omit it.
    public var excerptsPerSecond: Int
    /// Rejected readings of one message written one record each; the rest of that message's
    /// rejected readings share one summary record (each still counted under its reason).
    public var readingRecordsPerMessage: Int
    /// Longer park, site, device, metric or state names are quarantined as `name_too_long`.
    public var maxNameBytes: Int
    /// Ingest messages delivered with MQTT's retain flag instead of skipping them: a broker sends
    /// its retained copy again on every subscribe, so by default it would be counted again after
    /// every gateway restart.
    public var acceptRetained: Bool

    public init(
        topicPattern: TopicPattern, maxPayloadBytes: Int = 65_536, maxReadingsPerMessage: Int = 1_000,
        futureToleranceMillis: Int64 = 300_000, dedupWindow: Int = 1_024,
        redeliveryWindow: Int = 65_536, tiers: [Tier] = PipelineSettings.defaultTiers,
        allowedLatenessMillis: Int64 = 5_000, stateHorizonMillis: Int64 = 300_000, payloadExcerptBytes: Int = 512,
        maxTopicBytes: Int = 256, maxSeries: Int = 250_000, excerptsPerSecond: Int = 100,
        maxNameBytes: Int = PipelineSettings.defaultMaxNameBytes,
        acceptRetained: Bool = false, readingRecordsPerMessage: Int = 10, retireAfterMillis: Int64 = 3_600_000,
        quantileAccuracy: Double = QuantileSketch.defaultRelativeAccuracy, lineSubscriptions: [LineSubscription] = [],
        sparkplug: SparkplugSubscription? = nil
    ) {
        self.topicPattern = topicPattern
        self.lineSubscriptions = lineSubscriptions
        self.sparkplug = sparkplug
        self.maxPayloadBytes = maxPayloadBytes
        self.maxReadingsPerMessage = maxReadingsPerMessage
        self.futureToleranceMillis = futureToleranceMillis
        self.dedupWindow = dedupWindow
        self.redeliveryWindow = redeliveryWindow
        self.tiers = tiers
        self.allowedLatenessMillis = allowedLatenessMillis
        self.stateHorizonMillis = stateHorizonMillis
        self.payloadExcerptBytes = payloadExcerptBytes
        self.maxTopicBytes = maxTopicBytes
        self.maxSeries = maxSeries
        self.excerptsPerSecond = excerptsPerSecond
        self.maxNameBytes = maxNameBytes
        self.acceptRetained = acceptRetained
        self.readingRecordsPerMessage = readingRecordsPerMessage
        self.retireAfterMillis = retireAfterMillis
        self.quantileAccuracy = quantileAccuracy
    }

    /// The default longest name: 128 bytes.
    public static let defaultMaxNameBytes = 128

    /// `10s`, `1m`, `1h`.
    public static let defaultTiers = [
        Tier(name: "10s", lengthMillis: 10_000), Tier(name: "1m", lengthMillis: 60_000),
        Tier(name: "1h", lengthMillis: 3_600_000),
    ]
}
