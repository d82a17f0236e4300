import Telemetry

/// Which windows are aggregated and how long the aggregator waits for late readings.
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

    /// All defaults.
    init() {}
}
