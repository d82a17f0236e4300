/// A mergeable aggregate of a `state` metric over one window: readings per state and the
/// milliseconds the series spent in each state inside the window.
///
/// A state lasts from its reading until the series' next reading, capped at the configured
/// horizon, so a window may hold state time without holding a reading.
///
/// States are identified by their UTF-8 bytes (`Name`): two spellings that `String` finds equal
/// (precomposed or decomposed accents) are counted and timed separately.
public struct StatePartial: Sendable, Equatable {
    /// Readings in the window (the sum of `stateCounts`).
    public var count = 0
    /// Readings per state.
    public var stateCounts: [Name: Int] = [:]
    /// Milliseconds spent in each state inside the window; only states that were credited time.
    public var stateMillis: [Name: Int64] = [:]
    /// Earliest reading by event time; `nil` when the window holds only carried-over state time.
    public var first: TimedState?
    /// Latest reading by event time.
    public var last: TimedState?

    /// An empty partial.
    public init() {}

    /// A state with the event time it was reported at; equal when the times and the state's
    /// bytes are equal.
    public struct TimedState: Sendable, Equatable {
        /// Event time, milliseconds since the epoch.
        public var timestampMillis: Int64
        /// The state, in the exact spelling (bytes) of the reading.
        public var state: String

        /// A state reported at `timestampMillis`.
        public init(timestampMillis: Int64, state: String) {
            self.timestampMillis = timestampMillis
            self.state = state
        }

        /// True when the times are equal and the states have the same bytes.
        public static func == (lhs: TimedState, rhs: TimedState) -> Bool {
            lhs.timestampMillis == rhs.timestampMillis && Name.bytesEqual(lhs.state, rhs.state)
        }
    }

    /// Counts one reading of the state named exactly `state`. O(state length) amortised.
    public mutating func add(_ state: String, at timestampMillis: Int64) {
        count += 1
        stateCounts[Name(state), default: 0] += 1
        if first == nil || timestampMillis < (first?.timestampMillis ?? .max) {
            first = TimedState(timestampMillis: timestampMillis, state: state)
        }
        if last == nil || timestampMillis >= (last?.timestampMillis ?? .min) {
            last = TimedState(timestampMillis: timestampMillis, state: state)
        }
    }

    /// Adds time spent in the state named exactly `state` inside this window.
    public mutating func addTime(_ millis: Int64, in state: String) {
        stateMillis[Name(state), default: 0] += millis
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
