extension QuantileSketch {
    /// Adds `other`'s values to this sketch: bin for bin, the zero counts, the counts, and the
    /// minimum and maximum. Both must have the same α (`.relativeAccuracyMismatch` otherwise,
    /// and this sketch is unchanged).
    ///
    /// The result keeps the smaller of the two bin limits and applies the collapsing rule with
    /// it, so merging is commutative and associative, and equals, bin for bin, the sketch of
    /// the union of both sketches' values built with that limit (collapsed bins included:
    /// collapsing only moves counts up to the lowest kept key, whichever order it happens in).
    public mutating func merge(_ other: QuantileSketch) throws(QuantileSketchError) {
        guard other.mapping == mapping else {
            throw .relativeAccuracyMismatch(relativeAccuracy, other.relativeAccuracy)
        }
        binLimit = Swift.min(binLimit, other.binLimit)
        positive.merge(other.positive, limit: binLimit)
        negative.merge(other.negative, limit: binLimit)
        zeroCount = zeroCount.addingSaturated(other.zeroCount)
        count = count.addingSaturated(other.count)
        lowest = Swift.min(lowest, other.lowest)
        highest = Swift.max(highest, other.highest)
    }
}
