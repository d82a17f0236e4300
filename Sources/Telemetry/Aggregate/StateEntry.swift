/// Readings and milliseconds of one state inside one `StateWindow`, chained from the window.
///
/// States are matched by `state` (the id all equal spellings share) but written in the spelling
/// that first counted a reading or credited time here, as a `StatePartial`'s two dictionaries
/// would keep their first keys.
struct StateEntry: PoolSlot {
    /// The next entry of the same window; -1 for none.
    var next: Int32
    /// Interned state id shared by equal spellings (see `WindowAggregator.stateCanonical`).
    var state: Int32
    var count = 0
    /// Spelling (interned id) under which `count` is written; set with the first reading.
    var countSpelling: Int32 = -1
    var millis: Int64 = 0
    /// Spelling under which `millis` is written; -1 until time is credited (a `StatePartial`
    /// lists a state under `stateMillis` only then).
    var timeSpelling: Int32 = -1

    init(state: Int32, next: Int32) {
        self.state = state
        self.next = next
    }
}
