/// The quantile sketch bins of one open gauge window, kept beside its `NumericWindow` (same
/// slot index) in `WindowAggregator.sketches`.
///
/// Only the bins: the relative accuracy and bin limit are the aggregator's (one
/// `LogarithmicMapping` for every window), and the count, minimum and maximum are the window's
/// `NumericPartial`'s, so a window pays 40 bytes plus its bins, not a whole `QuantileSketch`.
/// The bins' arrays are kept when a slot is reused (`reset`), so opening a window allocates
/// nothing once its slot has held one of similar spread.
struct WindowSketch {
    var positive = SketchBins()
    var negative = SketchBins()
    /// Values counted as zero (see `QuantileSketch.zeroCount`).
    var zeroCount: UInt64 = 0

    /// Counts `value` (finite: validation refused the rest). A magnitude above the largest
    /// indexable one (`DBL_MAX / γ`, about 1.76 · 10³⁰⁸ at α = 1 %) is counted in the highest
    /// key's bin, whose representative then is within 2α of it. O(1) amortised: one logarithm.
    @inline(__always)
    mutating func add(_ value: Double, mapping: LogarithmicMapping, limit: Int) {
        let magnitude = value.magnitude
        guard magnitude > mapping.smallestIndexable else {
            zeroCount = zeroCount.addingSaturated(1)
            return
        }
        let key = mapping.key(for: Swift.min(magnitude, mapping.largestIndexable))
        if value > 0 {
            positive.add(key: key, count: 1, limit: limit)
        } else {
            negative.add(key: key, count: 1, limit: limit)
        }
    }

    /// Adds `other`'s counts (a finer window of the same series) bin for bin.
    mutating func merge(_ other: WindowSketch, limit: Int) {
        if !other.positive.isEmpty { positive.merge(other.positive, limit: limit) }
        if !other.negative.isEmpty { negative.merge(other.negative, limit: limit) }
        zeroCount = zeroCount.addingSaturated(other.zeroCount)
    }

    /// Empties the bins for the next window of the slot, keeping their storage.
    mutating func reset() {
        positive.removeAll()
        negative.removeAll()
        zeroCount = 0
    }

    /// The bins of `sketch` (restoring a checkpoint).
    init(_ sketch: QuantileSketch) {
        positive = sketch.positive
        negative = sketch.negative
        zeroCount = sketch.zeroCount
    }

    init() {}

    /// The window's `QuantileSketch`: these bins with the aggregator's accuracy and bin limit,
    /// and the count, minimum and maximum of the window's `partial`.
    func sketch(relativeAccuracy: Double, limit: Int, partial: NumericPartial) -> QuantileSketch {
        var sketch = QuantileSketch(checkedRelativeAccuracy: relativeAccuracy, binLimit: limit)
        sketch.positive = positive
        sketch.negative = negative
        sketch.zeroCount = zeroCount
        sketch.count = UInt64(Swift.max(0, partial.count))
        if partial.count > 0 {
            sketch.lowest = partial.min
            sketch.highest = partial.max
        }
        return sketch
    }
}
