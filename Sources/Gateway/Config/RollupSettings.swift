import Telemetry

/// Which windows are aggregated, how long the aggregator waits for late readings, and how long
/// each tier's windows are kept.
struct RollupSettings: Sendable, Equatable {
    /// Window lengths, non-empty and strictly ascending, each a whole multiple of the one before
    /// so that windows of a longer tier are made of whole windows of the shorter one.
    var tiers: [Tier] = [
        Tier(name: "10s", lengthMillis: 10_000),
        Tier(name: "1m", lengthMillis: 60_000),
        Tier(name: "1h", lengthMillis: 3_600_000),
    ]
    /// Watermark lag: a window closes once its device's newest event time is this far past its end.
    var allowedLatenessMillis: Int64 = 5_000
    /// A machine state lasts until the next reading of its series, but at most this long.
    var stateHorizonMillis: Int64 = 300_000
    /// α of the gauge windows' quantile sketches (`rollup.quantile_accuracy`).
    var quantileAccuracy = QuantileSketch.defaultRelativeAccuracy
    /// How long windows of each tier are kept (ms), by tier length, in the query index and in
    /// the rollup log's rotated segments; a tier not listed is kept forever. Every key is the
    /// length of one of `tiers`.
    var retentionMillis: [Int64: Int64] = [10_000: 2 * 86_400_000, 60_000: 30 * 86_400_000]

    /// All defaults.
    init() {}
}
