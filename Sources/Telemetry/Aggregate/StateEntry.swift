/// Readings and milliseconds of one state inside one `StateWindow`, chained from the window.
struct StateEntry: PoolSlot {
    /// The next entry of the same window; -1 for none.
    var next: Int32
    /// Interned state id (one per name's bytes, see `WindowAggregator.stateNames`).
    var state: Int32
    var count = 0
    var millis: Int64 = 0
    /// True once time was credited here (a `StatePartial` lists a state under `stateMillis`
    /// only then).
    var hasTime = false

    init(state: Int32, next: Int32) {
        self.state = state
        self.next = next
    }
}
