/// An open window of a `state` series, kept as plain data: states are interned ids, and the
/// per-state readings and milliseconds are a list of `StateEntry` slots.
///
/// Why not a `StatePartial`: its two dictionaries would cost two allocations for every window
/// opened and reference counting on every reading. The window becomes a `StatePartial` once,
/// when it is written.
struct StateWindow: WindowSlot {
    var startMillis: Int64
    /// The next newer and older windows of the same list; -1 for none.
    var next: Int32 = -1
    var previous: Int32 = -1
    var nextStartMillis: Int64 = 0
    /// Readings in the window.
    var count = 0
    /// First `StateEntry` of this window; -1 for none.
    var entries: Int32 = -1
    /// Earliest and latest reading by event time (ties as in `StatePartial.add`); state -1 for none.
    var firstMillis: Int64 = 0
    var firstState: Int32 = -1
    var lastMillis: Int64 = 0
    var lastState: Int32 = -1
    /// State changes between readings in event order, counted in this window (`StatePartial.transitions`).
    var transitions = 0
    var faults = FaultRuns()

    init(startMillis: Int64) {
        self.startMillis = startMillis
    }
}
