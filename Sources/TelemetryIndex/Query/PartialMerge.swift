/// The exact merge of rollup partials: windows of one series across time, the two records of a
/// window cut short by a restart, and series of a group. Every field of a record merges:
/// counts, sums, increases, resets and state times add; min and max compare; first and last
/// go by event time; the variance term merges by Chan et al.'s pairwise formula, which is
/// exact in real arithmetic (`m2 = m2a + m2b + δ²·na·nb/n`, δ the difference of the means).
public struct PartialMerge: Sendable, Equatable {
    public private(set) var count: Int64 = 0
    public private(set) var sum: Double = 0
    public private(set) var min: Double?
    public private(set) var max: Double?
    /// Sum of squared deviations from the mean, over the readings that had numbers.
    public private(set) var m2: Double = 0
    public private(set) var first: TimedValue?
    public private(set) var last: TimedValue?
    public private(set) var increase: Double?
    public private(set) var resets: Int64 = 0
    /// Readings and milliseconds per state, by the state name's bytes.
    public private(set) var states: [[UInt8]: (readings: Int64, millis: Int64)] = [:]
    /// Readings counted in `sum` and `m2` (gauges and counters).
    private var numericCount: Int64 = 0
    /// False once a window that was never finished is part of the merge.
    public internal(set) var complete = true

    public init() {}

    public var mean: Double? { numericCount > 0 ? sum / Double(numericCount) : nil }

    /// Sample standard deviation (n − 1); nil below two readings.
    public var standardDeviation: Double? {
        guard numericCount > 1 else { return nil }
        return (Swift.max(0, m2) / Double(numericCount - 1)).squareRoot()
    }

    /// Milliseconds of state time in the merge, all states.
    public var stateMillis: Int64 { states.values.reduce(0) { $0 &+ $1.millis } }

    public static func == (lhs: PartialMerge, rhs: PartialMerge) -> Bool {
        lhs.count == rhs.count && lhs.sum == rhs.sum && lhs.min == rhs.min && lhs.max == rhs.max && lhs.m2 == rhs.m2
            && lhs.first == rhs.first && lhs.last == rhs.last && lhs.increase == rhs.increase && lhs.resets == rhs.resets
            && lhs.complete == rhs.complete && lhs.numericCount == rhs.numericCount
            && lhs.states.mapValues { [$0.readings, $0.millis] } == rhs.states.mapValues { [$0.readings, $0.millis] }
    }

    /// The merge of one record's window alone. `windowComplete` says whether the window (all
    /// its records) was finished; a window cut short and never finished leaves any merge it
    /// joins incomplete.
    public init(_ record: RollupRecord, windowComplete: Bool) {
        self.init(
            count: record.count, sum: record.sum, m2: record.m2, min: record.min, max: record.max, first: record.first,
            last: record.last, increase: record.increase, resets: record.resets, states: record.states,
            complete: windowComplete)
    }

    /// The merge of one stored window's figures, as a record or a `partial` row holds them.
    init(
        count: Int64, sum: Double?, m2: Double?, min: Double?, max: Double?, first: TimedValue?, last: TimedValue?,
        increase: Double?, resets: Int64?, states: [StateTime], complete: Bool
    ) {
        self.count = count
        if let sum, count > 0 { (self.sum, self.m2, numericCount) = (sum, m2 ?? 0, count) }
        (self.min, self.max, self.first, self.last, self.increase) = (min, max, first, last, increase)
        self.resets = resets ?? 0
        for state in states {
            let sofar = self.states[state.name] ?? (0, 0)
            self.states[state.name] = (sofar.readings &+ state.readings, sofar.millis &+ state.millis)
        }
        self.complete = complete
    }

    /// Adds one record's window (see ``init(_:windowComplete:)``).
    public mutating func add(_ record: RollupRecord, windowComplete: Bool) {
        add(PartialMerge(record, windowComplete: windowComplete))
    }

    /// Adds another merge: other windows of the series, or other series of a group.
    public mutating func add(_ other: PartialMerge) {
        count &+= other.count
        if other.numericCount > 0 { mergeMoments(count: other.numericCount, sum: other.sum, m2: other.m2) }
        if let low = other.min { min = Swift.min(min ?? low, low) }
        if let high = other.max { max = Swift.max(max ?? high, high) }
        if let value = other.first, value.millis < first?.millis ?? .max { first = value }
        if let value = other.last, value.millis >= last?.millis ?? .min { last = value }
        if let growth = other.increase { increase = (increase ?? 0) + growth }
        resets &+= other.resets
        for (name, entry) in other.states {
            let sofar = states[name] ?? (0, 0)
            states[name] = (sofar.readings &+ entry.readings, sofar.millis &+ entry.millis)
        }
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
