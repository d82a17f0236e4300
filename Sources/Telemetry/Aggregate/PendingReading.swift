/// A counter or state reading accepted but not yet put in event order: its device's watermark
/// has not passed it, so a reading with an earlier event time may still arrive.
///
/// Kept in a per-series list through a `SlotPool`, ascending by event time and, for equal
/// times, by arrival (`SeriesState.pendingHead`). Once the watermark reaches its time nothing
/// can come before it any more, and `WindowAggregator.settle` applies it: a counter's difference
/// to the previous reading, a state's change. Plain data, 24 bytes.
struct PendingReading: PoolSlot {
    /// The next reading of the same series in event order; -1 for none.
    var next: Int32 = -1
    /// States: the interned state; -1 for a counter.
    var state: Int32
    var timestampMillis: Int64
    /// Counters: the value; 0 for a state.
    var value: Double

    init(timestampMillis: Int64, value: Double, state: Int32) {
        self.timestampMillis = timestampMillis
        self.value = value
        self.state = state
    }
}
