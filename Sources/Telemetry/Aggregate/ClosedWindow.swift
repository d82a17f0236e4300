/// A window `closeWindows` has taken out of its list and will write next.
///
/// Why a separate step: with many series the windows that close are mostly not in cache.
/// Taking all of a device's closing windows out first, in a short loop of plain-data copies,
/// lets the processor overlap those cache misses; building and writing each rollup (strings,
/// reference counting, the sink) then runs on data already loaded.
struct ClosedWindow {
    var series: Int32
    var tier: Int32
    var startMillis: Int64
    /// A state window's slot, still allocated until its rollup is built; -1 for a numeric window.
    var stateSlot: Int32
    /// A numeric window's aggregate (unused for a state window).
    var numeric: NumericPartial
    /// A gauge window's slot, still allocated until its rollup is built (its sketch is read
    /// there, not copied here); -1 for other kinds.
    var gaugeSlot: Int32
}
