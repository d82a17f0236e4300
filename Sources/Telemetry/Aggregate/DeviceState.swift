/// What the aggregator keeps per device: its event-time watermark and its series.
///
/// Plain data: the device's key lives in a separate array, so the per-message updates touch no
/// references.
struct DeviceState {
    var watermark = Watermark()
    /// Earliest end among the device's open windows (or of a state's horizon still to credit,
    /// `WindowAggregator.stateCreditDueMillis`): when `closeWindows` next has work for it.
    var nextCloseMillis: Int64 = .max
    /// Receive time of the message whose readings moved the watermark to `nextCloseMillis` or
    /// past it; `.min` while no window is due (or one was made due by idle time).
    var closeDueSinceMillis: Int64 = .min
    /// The device's series in registration order: a list through `SeriesState.nextOfDevice`.
    var firstSeries: Int32 = -1
    var lastSeries: Int32 = -1
    /// The device's series by metric id (in `WindowAggregator.seriesMaps`).
    var seriesMap = SeriesMaps.Region()
    /// The ingest clock for which the device is in `WindowAggregator.closeSchedule` (`.max` when
    /// it is not), and whether it is in `touchedDevices`.
    var scheduledCloseMillis: Int64 = .max
    var isTouched = false
    /// `WindowAggregator.carryTick` at the device's latest message: the lazily carried clock
    /// applies to it only once a later `closeWindows` has set it.
    var observedAtTick = 0
    /// True for the slot of a retired device, kept for the next new device; it has no series.
    var isVacant = false
}
