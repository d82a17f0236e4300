/// A mergeable aggregate of a `state` metric over one window: readings per state, the
/// milliseconds the series spent in each state inside the window, its state changes and its
/// fault runs.
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
    /// Readings whose state differs from the series' previous reading in event time (the
    /// change is counted in the window of the reading that makes it).
    public var transitions = 0
    /// The runs of continuous time in the metric's fault states inside the window.
    public var faults = FaultRuns()
    /// Milliseconds in the metric's up states and in its planned-time states
    /// (`MetricDefinition.upStates`, `.plannedStates`): availability is their ratio. Set when
    /// the window is written, from `stateMillis` and the definition; 0 in a checkpoint's partial.
    public var upMillis: Int64 = 0
    public var plannedMillis: Int64 = 0
    /// Only in a window written at a graceful stop: the state still in force then, with the
    /// instant its time was credited up to (the stop). A restart credits it from there on.
    public var inForceAtStop: TimedState?

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
}
