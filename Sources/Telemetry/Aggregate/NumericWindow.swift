/// An open window of a gauge or counter series: a `NumericPartial` in a `SlotPool`.
///
/// Plain data (no references), so pool slots are copied and recycled without reference
/// counting.
struct NumericWindow: WindowSlot {
    var startMillis: Int64
    /// The next newer and older windows of the same list; -1 for none.
    var next: Int32 = -1
    var previous: Int32 = -1
    var nextStartMillis: Int64 = 0
    var partial = NumericPartial()

    init(startMillis: Int64) {
        self.startMillis = startMillis
    }
}
