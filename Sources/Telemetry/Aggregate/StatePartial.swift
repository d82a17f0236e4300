/// A mergeable aggregate of a `state` metric over one window: readings per state and the
/// milliseconds the series spent in each state inside the window.
///
/// A state lasts from its reading until the series' next reading, capped at the configured
/// horizon, so a window may hold state time without holding a reading.
public struct StatePartial: Sendable, Equatable {
    /// Readings in the window (the sum of `stateCounts`).
    public var count = 0
    public var stateCounts: [String: Int] = [:]
    public var stateMillis: [String: Int64] = [:]
    /// Earliest reading by event time; `nil` when the window holds only carried-over state time.
    public var first: TimedState?
    /// Latest reading by event time.
    public var last: TimedState?

    public init() {}

    /// A state with the event time it was reported at.
    public struct TimedState: Sendable, Equatable {
        public var timestampMillis: Int64
        public var state: String

        public init(timestampMillis: Int64, state: String) {
            self.timestampMillis = timestampMillis
            self.state = state
        }
    }

    /// Counts one reading. O(1) amortised.
    public mutating func add(_ state: String, at timestampMillis: Int64) {
        count += 1
        stateCounts[state, default: 0] += 1
        if first == nil || timestampMillis < (first?.timestampMillis ?? .max) {
            first = TimedState(timestampMillis: timestampMillis, state: state)
        }
        if last == nil || timestampMillis >= (last?.timestampMillis ?? .min) {
            last = TimedState(timestampMillis: timestampMillis, state: state)
        }
    }

    /// Adds time spent in `state` inside this window.
    public mutating func addTime(_ millis: Int64, in state: String) {
        stateMillis[state, default: 0] += millis
    }

    /// Merges another partial of the same series into this one.
    public mutating func merge(_ other: StatePartial) {
        count += other.count
        stateCounts.merge(other.stateCounts, uniquingKeysWith: +)
        stateMillis.merge(other.stateMillis, uniquingKeysWith: +)
        if let otherFirst = other.first, otherFirst.timestampMillis < (first?.timestampMillis ?? .max) {
            first = otherFirst
        }
        if let otherLast = other.last, otherLast.timestampMillis >= (last?.timestampMillis ?? .min) {
            last = otherLast
        }
    }
}
