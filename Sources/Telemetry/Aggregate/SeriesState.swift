/// What the aggregator keeps per series: the reading-to-reading context that counters
/// (previous value) and states (current state, time credited) need, and the series' readings
/// still waiting to be put in event order.
///
/// Plain data and no arrays of its own: the open windows are lists in the aggregator's pools
/// (`WindowAggregator.lists`), the name and unit are in its metric table. Registering a series
/// therefore allocates nothing beyond the amortised growth of the aggregator's arrays.
/// The fields are declared small first, so that the record packs into 64 bytes (one cache
/// line) with no padding.
struct SeriesState {
    /// Index of the series' device in the aggregator's device table.
    let device: Int32
    /// The metric name's id: with `device`, the series' identity.
    let metric: Int32
    /// Where the series' name, kind and unit are (`WindowAggregator.descriptors`); the name's
    /// first definition, or the series' own when a checkpoint gave it a different one.
    let descriptor: Int32
    let kind: MetricKind
    /// Counters: whether `previousCounterValue` and `previousCounterMillis` hold the latest
    /// reading in event order, the one the next reading's difference is taken to.
    var hasPreviousCounterValue = false
    /// The next series of the same device; -1 for none.
    var nextOfDevice: Int32 = -1
    /// Counters and states: readings not yet in event order (`PendingReading`), oldest first;
    /// -1 for none.
    var pendingHead: Int32 = -1
    var pendingTail: Int32 = -1
    /// States: the interned state in force (-1 for none) since `stateSinceMillis`.
    var currentState: Int32 = -1
    var previousCounterValue = 0.0
    var previousCounterMillis: Int64 = .min
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
