/// A mergeable quantile sketch with a relative-error guarantee, in the manner of DDSketch
/// (Masson, Rim and Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
/// Relative-Error Guarantees", VLDB 2019): one per gauge series and window, so that p50…p99 of
/// a window, and of any merge of windows, tiers, devices or gateways, come with a stated bound.
///
/// **Bins.** A value v > 0 is counted in logarithmic bin ⌈log_γ v⌉, γ = (1 + α) / (1 − α), whose
/// representative is within α · v of v (`LogarithmicMapping`: the keys and representatives of
/// the reference implementation, PyPI `ddsketch` 3.0.1). A negative value is counted in a second
/// set of bins keyed by |v|. A value with |v| ≤ `DBL_MIN · γ` (zero, and subnormals) is counted
/// as zero. Counts are integers (`UInt64`, held at the maximum rather than wrapping).
///
/// **Quantile.** For n values sorted ascending, x₀ ≤ … ≤ xₙ₋₁, the q-quantile is x at index
/// ⌊q · (n − 1)⌋. The sketch computes rank = q · (n − 1) and answers the representative of the
/// first bin, in ascending order of value, whose cumulative count exceeds rank (zero for the
/// zero count); this is the reference's `get_quantile_value`. While no bin has collapsed, the
/// answer x̃ satisfies |x̃ − x| ≤ α · |x| for every q in [0, 1]. Answers are **not clamped** to
/// [`min`, `max`] (as in the reference): `quantile(0)` can lie up to α below the minimum.
///
/// **Bin limit.** Each sign keeps at most `binLimit` consecutive keys (default 2048, the
/// reference's default): the keys ending at the highest key used. A value below them is counted
/// in the lowest kept bin ("collapse the lowest", as the reference's
/// `LogCollapsingLowestDenseDDSketch`; for negative values "lowest" means nearest zero).
/// After that (`isCollapsed`), a quantile whose exact value lies in a kept bin is still within
/// α; one whose exact value lies below them answers the lowest kept bin's representative, an
/// overestimate of its magnitude with no bound. With α = 1 % the 2048 bins span a factor of
/// γ²⁰⁴⁷ ≈ 6 · 10¹⁷, so a gauge never gets there: it takes values spread over 17 decades.
///
/// **Merge.** `merge(_:)` adds bin for bin: the merge of sketches is exactly the sketch of the
/// union of their values (same bins, same answers), in any order and grouping.
public struct QuantileSketch: Equatable, Sendable {
    /// α unless configured: 1 %.
    public static let defaultRelativeAccuracy = 0.01
    /// Bins per sign unless configured: 2048, which span a factor of 6 · 10¹⁷ at α = 1 %.
    public static let defaultBinLimit = 2048
    /// The largest bin limit accepted (also from an encoding, which bounds what decoding can
    /// allocate: 16,384 counts of 8 bytes per sign).
    public static let maximumBinLimit = 16_384
    /// The relative accuracies accepted. Below 10⁻⁶ keys would not fit 32 bits; above 0.5 a
    /// bin spans a factor of 3 and the sketch says little.
    public static let relativeAccuracyRange: ClosedRange<Double> = 0.000_001...0.5

    let mapping: LogarithmicMapping
    /// Keys kept per sign (see the type's documentation).
    public internal(set) var binLimit: Int
    var positive = SketchBins()
    var negative = SketchBins()
    /// Values counted as zero: |v| ≤ `DBL_MIN · γ`.
    public internal(set) var zeroCount: UInt64 = 0
    /// Values added, exactly (held at `UInt64.max`).
    public internal(set) var count: UInt64 = 0
    /// The exact minimum and maximum of the values added (`+inf`/`−inf` while empty).
    var lowest = Double.infinity
    var highest = -Double.infinity

    /// An empty sketch with α = 1 % and 2048 bins per sign.
    public init() {
        self.init(checkedRelativeAccuracy: Self.defaultRelativeAccuracy, binLimit: Self.defaultBinLimit)
    }

    /// An empty sketch with relative accuracy `relativeAccuracy` (in `relativeAccuracyRange`)
    /// and at most `binLimit` bins per sign (1…`maximumBinLimit`).
    public init(relativeAccuracy: Double, binLimit: Int = defaultBinLimit) throws(QuantileSketchError) {
        guard Self.relativeAccuracyRange.contains(relativeAccuracy) else {
            throw .relativeAccuracyOutOfRange(relativeAccuracy)
        }
        guard (1...Self.maximumBinLimit).contains(binLimit) else { throw .binLimitOutOfRange(binLimit) }
        self.init(checkedRelativeAccuracy: relativeAccuracy, binLimit: binLimit)
    }

    /// An empty sketch; the caller checked both parameters.
    init(checkedRelativeAccuracy relativeAccuracy: Double, binLimit: Int) {
        self.init(mapping: LogarithmicMapping(relativeAccuracy: relativeAccuracy), binLimit: binLimit)
    }

    /// An empty sketch with an existing mapping (no logarithm to compute: the aggregator makes
    /// one sketch per gauge window it writes).
    init(mapping: LogarithmicMapping, binLimit: Int) {
        self.mapping = mapping
        self.binLimit = binLimit
    }

    /// α: the guaranteed relative error of a quantile while `isCollapsed` is false.
    public var relativeAccuracy: Double { mapping.relativeAccuracy }

    /// The smallest value added, exactly; nil while empty.
    public var min: Double? { count > 0 ? lowest : nil }

    /// The largest value added, exactly; nil while empty.
    public var max: Double? { count > 0 ? highest : nil }

    /// True when a bin was collapsed: quantiles below the lowest kept bins have lost the
    /// α guarantee (see the type's documentation).
    public var isCollapsed: Bool { positive.isCollapsed || negative.isCollapsed }

    /// The number of non-empty bins (both signs and the zero count): what the sketch knows.
    public var nonEmptyBinCount: Int {
        positive.counts.count(where: { $0 > 0 }) + negative.counts.count(where: { $0 > 0 }) + (zeroCount > 0 ? 1 : 0)
    }

    /// Counts `value`. NaN and ±infinity are rejected (`.nonFinite`), as are magnitudes above
    /// `DBL_MAX / γ` (`.tooLarge`), whose bin has no finite representative; the sketch is then
    /// unchanged. Cost: one logarithm and an array store (rarely a resize): 22 ns per value
    /// in a release build on the project's 2-core EPYC VM (`Benchmarks/SketchBenchmarks`).
    public mutating func add(_ value: Double) throws(QuantileSketchError) {
        guard value.isFinite else { throw .nonFinite(value) }
        let magnitude = value.magnitude
        if magnitude > mapping.smallestIndexable {
            guard magnitude <= mapping.largestIndexable else { throw .tooLarge(value) }
            let key = mapping.key(for: magnitude)
            if value > 0 {
                positive.add(key: key, count: 1, limit: binLimit)
            } else {
                negative.add(key: key, count: 1, limit: binLimit)
            }
        } else {
            zeroCount = zeroCount.addingSaturated(1)
        }
        count = count.addingSaturated(1)
        if value < lowest { lowest = value }
        if value > highest { highest = value }
    }

    /// The q-quantile's estimate, or nil when the sketch is empty or `q` is not in [0, 1].
    ///
    /// rank = q · (n − 1), n = `count`; the answer is the representative of the first bin, in
    /// ascending order of value, whose cumulative count exceeds rank (the exact quantile is the
    /// sorted values' element at index ⌊rank⌋). Within α of the exact quantile while
    /// `isCollapsed` is false; not clamped to [`min`, `max`]. Computed with the reference's
    /// floating-point operations in the reference's order, so that both give the same answer.
    public func quantile(_ q: Double) -> Double? {
        guard q >= 0, q <= 1, count > 0 else { return nil }
        let rank = q * (Double(count) - 1)
        let negativeCount = Double(negative.total)
        if rank < negativeCount {
            let reversedRank = negativeCount - rank - 1
            return -mapping.value(forKey: negative.key(atRank: reversedRank, lower: false))
        }
        if rank < Double(zeroCount) + negativeCount {
            return 0
        }
        return mapping.value(forKey: positive.key(atRank: rank - Double(zeroCount) - negativeCount, lower: true))
    }
}
