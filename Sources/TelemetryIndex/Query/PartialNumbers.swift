/// The figures of a merge that are plain numbers: counts, moments, extremes, counter increase
/// and resets, a state series' measures, and completeness. It holds no reference, so a query
/// can keep a flat array of them and merge a hundred thousand rows without retain, release or
/// value-witness calls; `PartialMerge` adds the figures that carry names (first, last, state
/// times).
///
/// The variance term merges by Chan et al.'s pairwise formula, which is exact in real
/// arithmetic (`m2 = m2a + m2b + δ²·na·nb/n`, δ the difference of the means).
public struct PartialNumbers: Sendable, Equatable {
    /// Readings, of every kind.
    public private(set) var count: Int64 = 0
    /// Sum of the readings that had numbers (gauges and counters).
    public private(set) var sum: Double = 0
    /// Sum of squared deviations from the mean, over the readings that had numbers.
    public private(set) var m2: Double = 0
    public private(set) var min: Double?
    public private(set) var max: Double?
    public private(set) var increase: Double?
    public private(set) var resets: Int64 = 0
    /// Transitions, up and planned time, fault runs (state series).
    public private(set) var stateMeasures = StateMeasures()
    /// Readings counted in `sum` and `m2`.
    private(set) var numericCount: Int64 = 0
    /// False once a window that was never finished is part of the merge.
    public internal(set) var complete = true

    public init() {}

    /// The figures of one stored window, as a record or a `partial` row holds them.
    init(
        count: Int64, sum: Double?, m2: Double?, min: Double?, max: Double?, increase: Double?, resets: Int64?,
        complete: Bool, stateMeasures: StateMeasures = StateMeasures()
    ) {
        self.count = count
        self.stateMeasures = stateMeasures
        if let sum, count > 0 { (self.sum, self.m2, numericCount) = (sum, m2 ?? 0, count) }
        (self.min, self.max, self.increase, self.complete) = (min, max, increase, complete)
        self.resets = resets ?? 0
    }

    public var mean: Double? { numericCount > 0 ? sum / Double(numericCount) : nil }

    /// Sample standard deviation (n − 1); nil below two readings.
    public var standardDeviation: Double? {
        guard numericCount > 1 else { return nil }
        return (Swift.max(0, m2) / Double(numericCount - 1)).squareRoot()
    }

    /// Adds another series' figures (a group's members, or another part of a group's scan).
    /// Only fault runs tell this from ``append(_:)`` and ``addRestOfWindow(_:)``: every other
    /// figure adds alike.
    public mutating func add(_ other: PartialNumbers) {
        addFigures(other)
        stateMeasures.add(other.stateMeasures)
    }

    /// Appends the next windows of the same series, later in time.
    mutating func append(_ later: PartialNumbers) {
        addFigures(later)
        stateMeasures.append(later.stateMeasures)
    }

    /// Adds the later record of a window written in two (cut short, finished after a restart).
    mutating func addRestOfWindow(_ rest: PartialNumbers) {
        addFigures(rest)
        stateMeasures.addRestOfWindow(rest.stateMeasures)
    }

    private mutating func addFigures(_ other: PartialNumbers) {
        count &+= other.count
        if other.numericCount > 0 { mergeMoments(count: other.numericCount, sum: other.sum, m2: other.m2) }
        if let low = other.min { min = Swift.min(min ?? low, low) }
        if let high = other.max { max = Swift.max(max ?? high, high) }
        if let growth = other.increase { increase = (increase ?? 0) + growth }
        resets &+= other.resets
        if !other.complete { complete = false }
    }

    private mutating func mergeMoments(count other: Int64, sum otherSum: Double, m2 otherM2: Double) {
        guard numericCount > 0 else {
            (numericCount, sum, m2) = (other, otherSum, otherM2)
            return
        }
        let (n1, n2) = (Double(numericCount), Double(other))
        let delta = otherSum / n2 - sum / n1
        m2 = m2 + otherM2 + delta * delta * n1 * n2 / (n1 + n2)
        sum += otherSum
        numericCount &+= other
    }
}
