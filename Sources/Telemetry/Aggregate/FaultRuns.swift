/// The runs of continuous fault time of a state series inside one window, kept so that the
/// longest one is exact both in the window and in any longer window merged from it.
///
/// A run is time credited to the metric's fault states (`MetricDefinition.faultStates`) without
/// a break: a reading of a non-fault state, or the end of a state's horizon, ends it. A run
/// crossing the window's edges counts only its part inside. Merging needs, besides the longest
/// run, the run that begins at the window's start (`leadingMillis`) and the latest run with its
/// end (`latestMillis`, `latestEndMillis`): a run that ends at a window's end and one that begins
/// at the next window's start are one run.
///
/// Invariants: `leadingMillis ≤ longestMillis`, `latestMillis ≤ longestMillis`; no fault time
/// at all is `latestEndMillis == .min` with every length 0. Times come from credited state
/// time, which the aggregator bounds to accepted readings' event times, so no sum overflows.
public struct FaultRuns: Sendable, Equatable {
    /// The longest run inside the window, in milliseconds.
    public var longestMillis: Int64 = 0
    /// The run beginning exactly at the window's start; 0 when the window does not begin in a fault.
    public var leadingMillis: Int64 = 0
    /// The latest run (the one ending last) and the instant it ends; `.min` when there is none.
    public var latestMillis: Int64 = 0
    public var latestEndMillis: Int64 = .min

    /// No fault time.
    public init() {}

    /// True when the window holds no fault time.
    public var isEmpty: Bool { latestEndMillis == .min }

    /// Whether the invariants hold (a checkpoint's runs are checked with it before use).
    var isConsistent: Bool {
        guard !isEmpty else { return longestMillis == 0 && leadingMillis == 0 && latestMillis == 0 }
        return latestMillis > 0 && leadingMillis >= 0 && leadingMillis <= longestMillis && latestMillis <= longestMillis
            && latestEndMillis.subtractingReportingOverflow(latestMillis).overflow == false
    }

    /// The run ending exactly at `windowEndMillis` (the window's end); 0 when the window does
    /// not end in a fault (also when it was written cut short at a stop before its end).
    public func trailingMillis(windowEndMillis: Int64) -> Int64 {
        latestEndMillis == windowEndMillis ? latestMillis : 0
    }

    /// Adds fault time `[fromMillis, toMillis)` of a window starting at `windowStartMillis`.
    /// Credits come in time order (`fromMillis` at or after every earlier credit's end); one
    /// that starts where the latest run ends continues it. O(1).
    mutating func credit(fromMillis: Int64, toMillis: Int64, windowStartMillis: Int64) {
        guard toMillis > fromMillis else { return }
        latestMillis = latestEndMillis == fromMillis ? latestMillis + (toMillis - fromMillis) : toMillis - fromMillis
        latestEndMillis = toMillis
        if toMillis - latestMillis == windowStartMillis { leadingMillis = latestMillis }
        longestMillis = max(longestMillis, latestMillis)
    }

    /// Merges the runs of a later window that starts at `laterStartMillis` (at or after the end
    /// of every window merged so far) into this window, which starts at `windowStartMillis`
    /// and contains it. Windows merged in start order give the runs of their union: adjacent
    /// windows join a run across their common edge, a gap between them ends it. O(1).
    mutating func append(_ later: FaultRuns, laterStartMillis: Int64, windowStartMillis: Int64) {
        guard !later.isEmpty else { return }
        let joins = !isEmpty && latestEndMillis == laterStartMillis && later.leadingMillis > 0
        let joined = joins ? latestMillis + later.leadingMillis : later.leadingMillis
        if laterStartMillis == windowStartMillis {
            leadingMillis = later.leadingMillis
        } else if joins && latestEndMillis - latestMillis == windowStartMillis {
            leadingMillis = joined
        }
        longestMillis = max(longestMillis, later.longestMillis, joined)
        let laterLatestIsLeading = later.latestEndMillis - later.latestMillis == laterStartMillis
        latestMillis = joins && laterLatestIsLeading ? latestMillis + later.latestMillis : later.latestMillis
        latestEndMillis = later.latestEndMillis
    }
}
