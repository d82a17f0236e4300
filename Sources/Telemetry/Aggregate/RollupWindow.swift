/// One window of one series and tier: what the rollup log stores, one line each.
public struct RollupWindow: Sendable, Equatable {
    public var tier: Tier
    /// Inclusive start, milliseconds since the epoch, aligned to the tier.
    public var startMillis: Int64
    public var series: SeriesKey
    public var kind: MetricKind
    public var unit: String
    public var partial: WindowPartial
    /// A gauge window's quantile sketch (α `WindowAggregator.quantileAccuracy`); nil for
    /// counters and states.
    public var sketch: QuantileSketch?
    /// False when the window was written before it ended (at shutdown); merge such records
    /// by (series, tier, start) to get the window's full aggregate.
    public var complete: Bool

    /// Exclusive end of the window.
    public var endMillis: Int64 { startMillis + tier.lengthMillis }

    public init(
        tier: Tier, startMillis: Int64, series: SeriesKey, kind: MetricKind, unit: String,
        partial: WindowPartial, complete: Bool, sketch: QuantileSketch? = nil
    ) {
        self.tier = tier
        self.startMillis = startMillis
        self.series = series
        self.kind = kind
        self.unit = unit
        self.partial = partial
        self.complete = complete
        self.sketch = sketch
    }
}
