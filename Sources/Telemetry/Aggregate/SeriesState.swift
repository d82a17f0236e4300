/// What the aggregator keeps per series: the reading-to-reading context that counters
/// (previous value) and states (current state, time credited) need, and the series' readings
/// still waiting to be put in event order.
///
/// Plain data and no arrays of its own: the open windows are lists in the aggregator's pools
/// (`WindowAggregator.lists`), the name and unit are in its metric table. Registering a series
/// therefore allocates nothing beyond the amortised growth of the aggregator's arrays.
struct SeriesState {
    /// Index of the series' device in the aggregator's device table.
    let device: Int32
    /// The metric name's id: with `device`, the series' identity.
    let metric: Int32
    /// Where the series' name, kind and unit are (`WindowAggregator.descriptors`); the name's
    /// first definition, or the series' own when a checkpoint gave it a different one.
    let descriptor: Int32
    let kind: MetricKind
    /// The next series of the same device; -1 for none.
    var nextOfDevice: Int32 = -1
    /// Counters: the latest reading in event order (its value and time), when
    /// `hasPreviousCounterValue`: the one the next reading's difference is taken to.
    var hasPreviousCounterValue = false
    var previousCounterValue = 0.0
    var previousCounterMillis: Int64 = .min
    /// Counters and states: readings not yet in event order (`PendingReading`), oldest first;
    /// -1 for none.
    var pendingHead: Int32 = -1
    var pendingTail: Int32 = -1
    /// States: the interned state in force (-1 for none) and since when.
    var currentState: Int32 = -1
    var stateSinceMillis: Int64 = 0
    /// States: time before this instant has been credited to windows.
    var creditedThroughMillis: Int64 = .min

    init(device: Int32, metric: Int32, descriptor: Int32, kind: MetricKind) {
        self.device = device
        self.metric = metric
        self.descriptor = descriptor
        self.kind = kind
    }
}
