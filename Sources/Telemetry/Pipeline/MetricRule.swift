/// What validating a reading of one metric needs, as plain data: kind, range and allowed
/// states, without the definition's strings and arrays (no reference counting per reading).
struct MetricRule {
    var kind: MetricKind
    /// Inclusive `validRange` bounds when `hasRange`; otherwise any finite number is valid.
    var hasRange = false
    var lower = 0.0
    var upper = 0.0
    /// States: the allowed interned state ids, a bit set of `stateWordCount` words starting at
    /// `stateWordStart` in `IngestPipeline.allowedStateWords`. No words: any state is valid.
    var stateWordStart = 0
    var stateWordCount = 0

    /// The rule of a metric outside the catalogue when the catalogue is not strict: a gauge with
    /// no range.
    init(kind: MetricKind = .gauge) {
        self.kind = kind
    }
}
