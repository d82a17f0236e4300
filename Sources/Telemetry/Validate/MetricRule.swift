/// What validating a reading of one metric needs, as plain data: kind, range and allowed
/// states, without the definition's strings and arrays (no reference counting per reading).
struct MetricRule {
    var kind: MetricKind
    /// Inclusive `validRange` bounds when `hasRange`; otherwise any number up to
    /// `largestMagnitude` either way is valid.
    var hasRange = false
    var lower = 0.0
    var upper = 0.0
    /// States: the allowed interned state ids, a bit set of `stateWordCount` words starting at
    /// `stateWordStart` in `IngestPipeline.allowedStateWords`. No words: any state is valid.
    var stateWordStart = 0
    var stateWordCount = 0

    /// The largest magnitude of a number aggregated, whatever the catalogue says. With every
    /// value within ±1e100, a window's sum, mean, `m2` (≤ count × 4e200) and a counter's increase
    /// stay finite for any realistic count, so no rollup ever carries an infinite or `null`
    /// number; beyond it a reading is `out_of_range`.
    static let largestMagnitude = 1e100

    /// The rule of a metric outside the catalogue when the catalogue is not strict: a gauge with
    /// no range.
    init(kind: MetricKind = .gauge) {
        self.kind = kind
    }
}
