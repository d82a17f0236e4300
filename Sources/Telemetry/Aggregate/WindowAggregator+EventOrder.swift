// Counters and states in event-time order.
//
// A counter's increase and a state's duration depend on the reading before in event time, not
// in arrival. A reading at or after its device's watermark may still be followed by one with an
// earlier event time (anything down to the watermark is accepted), so counter and state
// readings first wait in their series' pending list, sorted by event time (equal times by
// arrival). Once the watermark reaches a reading's time nothing can arrive before it any more:
// `settle` then applies it, and the order of the applied readings never changes.
//
// The parts of a reading that do not depend on order (count, sum, min, max, mean, m2, first,
// last, readings per state) are added to the finest tier's window at once; only a counter's
// difference and a state's change wait. A pending reading's window is still open (its end is
// after its time, which is at or after the watermark, and `closeWindows` settles a series
// before closing its windows), so the difference lands in the window of the reading it belongs
// to, and reaches the coarser tiers when that window is merged into them. Memory: one 24-byte
// `PendingReading` per counter or state reading within the allowed lateness of its device's
// newest event time; in-order traffic costs one insertion at the tail and one removal at the
// head per reading.

extension WindowAggregator {
    /// Puts a counter or state reading of `series` in its pending list, after the readings
    /// with an earlier or equal event time. O(1) for a reading in order, O(pending) otherwise.
    mutating func enqueue(_ reading: PendingReading, series index: Int) {
        let slot = pending.allocate(reading)
        let tail = series[index].pendingTail
        guard tail >= 0 else {
            series[index].pendingHead = slot
            series[index].pendingTail = slot
            return
        }
        if pending[tail].timestampMillis <= reading.timestampMillis {
            pending[tail].next = slot
            series[index].pendingTail = slot
            return
        }
        var before: Int32 = -1
        var cursor = series[index].pendingHead
        while cursor >= 0, pending[cursor].timestampMillis <= reading.timestampMillis {
            before = cursor
            cursor = pending[cursor].next
        }
        pending[slot].next = cursor
        if before >= 0 { pending[before].next = slot } else { series[index].pendingHead = slot }
    }

    /// Applies, in event order, every pending reading of `series` at or before `instant` (the
    /// device's watermark; `.max` at a stop). O(readings applied × tiers).
    mutating func settle(series index: Int, through instant: Int64) {
        var cursor = series[index].pendingHead
        guard cursor >= 0, pending[cursor].timestampMillis <= instant else { return }
        let isCounter = series[index].kind == .counter
        while cursor >= 0, pending[cursor].timestampMillis <= instant {
            let reading = pending[cursor]
            if isCounter {
                applyCounter(reading.value, at: reading.timestampMillis, series: index)
            } else {
                applyState(reading.state, at: reading.timestampMillis, series: index)
            }
            pending.release(cursor)
            cursor = reading.next
        }
        series[index].pendingHead = cursor
        if cursor < 0 { series[index].pendingTail = -1 }
    }

    /// The next counter reading in event order: its difference to the previous one (a drop is a
    /// reset from zero, an equal value adds 0) goes to its finest tier's window. A reading before
    /// the previous one (possible only for one delayed across a stop, when every reading was
    /// put in order) changes nothing here: its order among applied readings is unknown.
    private mutating func applyCounter(_ value: Double, at timestampMillis: Int64, series index: Int) {
        guard series[index].hasPreviousCounterValue else {
            series[index].hasPreviousCounterValue = true
            series[index].previousCounterValue = value
            series[index].previousCounterMillis = timestampMillis
            return
        }
        guard timestampMillis >= series[index].previousCounterMillis else { return }
        let previous = series[index].previousCounterValue
        let reset = value < previous
        let increase = reset ? value : value - previous
        series[index].previousCounterValue = value
        series[index].previousCounterMillis = timestampMillis
        let slot = numericWindow(series: index, tier: 0, containing: timestampMillis)
        numericWindows[slot].partial.increase += increase
        if reset { numericWindows[slot].partial.resets += 1 }
    }

    /// The next state reading in event order: the state in force until now is credited up to
    /// it, and it is in force from then on; a state other than the previous reading's (by its
    /// bytes) is a transition, counted in the reading's finest window. Time already credited is never taken back: a reading
    /// before it (only after a stop credited the state in force up to the stop) takes over from
    /// the instant credited through, and one before the state in force changes nothing.
    private mutating func applyState(_ state: Int32, at timestampMillis: Int64, series index: Int) {
        let previous = series[index].currentState
        if previous >= 0 && timestampMillis < series[index].stateSinceMillis { return }
        creditState(series: index, through: timestampMillis)
        if previous >= 0 && previous != state {
            stateWindows[stateWindow(series: index, tier: 0, containing: timestampMillis)].transitions += 1
        }
        series[index].currentState = state
        series[index].stateSinceMillis = timestampMillis
    }
}
