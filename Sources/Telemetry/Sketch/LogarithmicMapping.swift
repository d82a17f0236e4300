#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Maps a positive value to the integer key of its logarithmic bin, and a key back to the
/// value that represents its bin, for a relative accuracy α.
///
/// With γ = (1 + α) / (1 − α), key i is the bin (γ^(i−1), γ^i], i = ⌈log_γ v⌉, and its
/// representative 2γ^i / (γ + 1) is within α of every value of the bin. The arithmetic is that
/// of the reference implementation (PyPI `ddsketch` 3.0.1, `LogarithmicMapping` with offset
/// 0): log_γ v is computed as (ln v / ln 2) · (ln 2 / ln1p(2α / (1 − α))) and rounded up, so that
/// both give the same key for the same value (and the differential test can compare bins).
struct LogarithmicMapping: Equatable, Sendable {
    /// α: every value of a bin is within α · value of the bin's representative.
    let relativeAccuracy: Double
    /// γ = 1 + 2α / (1 − α), the ratio of a bin's upper bound to its lower bound.
    let gamma: Double
    /// 1 / log2 γ, so that log_γ v = log2 v · multiplier.
    let multiplier: Double

    /// `relativeAccuracy` must be in `QuantileSketch.relativeAccuracyRange` (checked by the sketch).
    init(relativeAccuracy: Double) {
        self.relativeAccuracy = relativeAccuracy
        let gammaMantissa = 2 * relativeAccuracy / (1 - relativeAccuracy)
        gamma = 1 + gammaMantissa
        multiplier = 1 / log1p(gammaMantissa) * log(2.0)
    }

    /// The smallest magnitude with a key of its own: values of magnitude up to this count as
    /// zero (as in the reference: `DBL_MIN · γ`, so subnormals are zero).
    var smallestIndexable: Double { Double.leastNormalMagnitude * gamma }

    /// The largest magnitude the sketch accepts (`DBL_MAX / γ`): the representative of its
    /// bin is still finite.
    var largestIndexable: Double { Double.greatestFiniteMagnitude / gamma }

    /// The key of `magnitude`, which must be in (`smallestIndexable`, `largestIndexable`].
    @inline(__always)
    func key(for magnitude: Double) -> Int {
        Int((log(magnitude) / log(2.0) * multiplier).rounded(.up))
    }

    /// The representative value of bin `key`: 2γ^key / (γ + 1).
    func value(forKey key: Int) -> Double {
        pow(2.0, Double(key) / multiplier) * (2.0 / (1 + gamma))
    }

    /// The keys a sketch with this mapping can hold, from the smallest indexable magnitude to
    /// the largest: bounds for keys read from an encoding.
    var keyRange: ClosedRange<Int> {
        key(for: smallestIndexable.nextUp)...key(for: largestIndexable)
    }
}
