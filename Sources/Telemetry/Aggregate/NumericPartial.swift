/// A mergeable aggregate of the numeric readings (gauge or counter) of one window.
///
/// `mean` and `m2` follow Welford's online update; `merge` uses Chan et al.'s pairwise formula,
/// so partials of sub-windows, tiers or gateway instances combine exactly (up to rounding).
/// Counters also carry `increase` and `resets`: each reading contributes its difference to the
/// series' previous reading, so the increase of a window is the sum of its sub-windows'.
public struct NumericPartial: Sendable, Equatable {
    public var count = 0
    public var sum = 0.0
    public var min = Double.infinity
    public var max = -Double.infinity
    public var mean = 0.0
    /// Sum of squared deviations from the mean; variance = m2 / (count − 1).
    public var m2 = 0.0
    /// Earliest reading by event time (ties: the one added first).
    public var first = TimedValue(timestampMillis: 0, value: 0)
    /// Latest reading by event time (ties: the one added last).
    public var last = TimedValue(timestampMillis: 0, value: 0)
    /// Counters only: how much the counter grew, counting a drop as a reset from zero.
    public var increase = 0.0
    /// Counters only: how many times the counter went down.
    public var resets = 0

    public init() {}

    /// A value with the event time it was measured at.
    public struct TimedValue: Sendable, Equatable {
        public var timestampMillis: Int64
        public var value: Double

        public init(timestampMillis: Int64, value: Double) {
            self.timestampMillis = timestampMillis
            self.value = value
        }
    }

    /// Adds one reading. O(1).
    @inlinable
    public mutating func add(_ value: Double, at timestampMillis: Int64) {
        count += 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
        if count == 1 || timestampMillis < first.timestampMillis {
            first = TimedValue(timestampMillis: timestampMillis, value: value)
        }
        if count == 1 || timestampMillis >= last.timestampMillis {
            last = TimedValue(timestampMillis: timestampMillis, value: value)
        }
    }

    /// Merges another partial of the same series into this one. O(1).
    public mutating func merge(_ other: NumericPartial) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let total = Double(count + other.count)
        let delta = other.mean - mean
        m2 += other.m2 + delta * delta * Double(count) * Double(other.count) / total
        mean += delta * Double(other.count) / total
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if other.first.timestampMillis < first.timestampMillis { first = other.first }
        if other.last.timestampMillis >= last.timestampMillis { last = other.last }
        increase += other.increase
        resets += other.resets
    }
}
