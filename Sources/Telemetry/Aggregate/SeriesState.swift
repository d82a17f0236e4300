/// What the aggregator keeps per series: its open windows per tier and the reading-to-reading
/// context that counters (previous value) and states (current state, time credited) need.
struct SeriesState {
    let key: SeriesKey
    /// Index of the series' device in the aggregator's device table.
    let device: Int
    let kind: MetricKind
    let unit: String
    /// `windows[t]` are the open windows of tier `t`, ascending by start; usually one or two.
    var windows: [[OpenWindow]]
    /// Counters: the previous reading's value, to compute increase and detect resets.
    var previousCounterValue: Double?
    /// States: the state in force and since when.
    var currentState: String?
    var stateSinceMillis: Int64 = 0
    /// States: time before this instant has been credited to windows.
    var creditedThroughMillis: Int64 = .min

    init(key: SeriesKey, device: Int, definition: MetricDefinition, tierCount: Int) {
        self.key = key
        self.device = device
        self.kind = definition.kind
        self.unit = definition.unit
        self.windows = Array(repeating: [], count: tierCount)
    }

    /// The open window of tier `tier` starting at `start`, created empty when missing.
    /// Returns its index in `windows[tier]`. O(open windows of the tier).
    mutating func windowIndex(tier: Int, start: Int64) -> Int {
        var index = windows[tier].count
        while index > 0 && windows[tier][index - 1].startMillis >= start {
            if windows[tier][index - 1].startMillis == start { return index - 1 }
            index -= 1
        }
        windows[tier].insert(OpenWindow(startMillis: start, partial: WindowPartial(kind: kind)), at: index)
        return index
    }
}
