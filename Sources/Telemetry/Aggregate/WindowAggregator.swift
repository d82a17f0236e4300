// Storage layout (chosen so that a running gateway allocates nothing per reading and a new
// series costs no allocation of its own):
//
// * `devices` and `series` are arrays of plain data (`DeviceState`, `SeriesState`: no
//   references), so updating them costs no reference counting. A device's series are a linked
//   list through `SeriesState.nextOfDevice`, in registration order; the device keys and metric
//   names live in separate arrays and are read only when a window is written.
// * A series is found by metric id in its device's small hash table (`seriesMaps`), not by
//   name: metric names are interned once by their bytes (`metricIDByName`), and the pipeline
//   passes ids it resolved from the payload's bytes. A message's lookups stay in one device's table.
// * Open windows live in three `SlotPool`s (numeric windows, state windows, per-state entries)
//   and their slots are reused once released. `lists[series × tiers + tier]` is the doubly
//   linked list of a series' windows of one tier, ascending by start, and caches the oldest
//   window's start. Each list has a home slot, reserved next to its series' other homes when
//   the series is registered, for its usual single window (see `WindowList`), so a message's
//   windows are adjacent in memory. Memory is O(series × tiers + open windows); the pools
//   stay at their high-water mark.
// * Counter and state readings not yet in event order wait in a fourth pool (`pending`), a
//   list per series sorted by event time (`WindowAggregator+EventOrder.swift`).
// * A reading updates the finest tier's window only; a coarser window receives each finer
//   window it contains when that one is written (`WindowAggregator+TierMerge.swift`). Adding
//   tries the newest window first (one comparison instead of the division in `Tier.windowStart`).
// * Closing takes a device's due windows out into `closed` first and writes them afterwards
//   (see `ClosedWindow`), so their cache misses overlap when there are many series.
// * States are interned to ids by their bytes (`stateNames`), so a state window holds no
//   strings; a window becomes a `StatePartial` only when it is written, in dictionaries lent
//   for the write.
//   Interned names are kept for the life of the process: bounded by the catalogue's state lists,
//   but a state metric configured with an empty list keeps every distinct state it accepts.
// * `aliasByBytes` finds a device by the raw bytes of its MQTT topic, so a known device costs
//   one hash of the topic and no `String` per message.
//
// The stored properties are internal rather than private for the checkpoint extension.
//
// A series is named, kinded and united by the definition that created it (usually its metric's
// first one, shared through `descriptors`). Devices, metrics and states are identified by their
// UTF-8 bytes, as MQTT identifies topics (see `Name`): two spellings Swift's `String` treats as
// equal (precomposed or decomposed accents) are two devices, series or states. A JSON string
// with escapes and one without are the same name when they decode to the same bytes.

/// Aggregates accepted readings into epoch-aligned tumbling windows of every tier and closes
/// them when the device's watermark passes their end.
///
/// Each device has a `Watermark` (its highest event time − allowed lateness, carried forward
/// while the device is idle). Readings older than the watermark are too late and must
/// be rejected by the caller (`isTooLate`) before `add`; accepted readings therefore always land
/// in an open window of the finest tier, and each coarser tier's window is the merge of the
/// finer windows it contains (`WindowAggregator+TierMerge.swift`).
/// Used from one thread. Memory: O(series + open windows); no allocation per reading once the
/// tables have grown to the number of series and open windows.
public struct WindowAggregator {
    public let tiers: [Tier]
    public let allowedLatenessMillis: Int64
    public let stateHorizonMillis: Int64

    /// Per-device clocks and series lists, by device index.
    var devices: [DeviceState] = []
    /// Each device's key, by device index; read when a window is written.
    var deviceKeys: [DeviceKey] = []
    var deviceIndexByKey: [DeviceKey: Int] = [:]
    /// Aliases of devices (their topics): alias index by exact bytes, and each alias's device.
    /// Several topics name one device when the topic pattern ignores a level.
    var aliasByBytes = ByteKeyTable(capacity: 64)
    var aliasDevices: [Int32] = []
    /// Aliases whose device was retired (device -1): named again by a new device, or dropped
    /// when the table is rebuilt (`WindowAggregator+Retirement.swift`).
    var retiredAliases = 0
    /// Slots of retired devices and series, reused by the next new ones (a series' slot by a
    /// series whose windows go to the same pool, numeric or state, as its homes are there).
    var vacantDevices: [Int32] = []
    var vacantNumericSeries: [Int32] = []
    var vacantStateSeries: [Int32] = []

    /// Name, kind and unit of series, by descriptor id.
    var descriptors: [MetricDefinition] = []
    /// The interned ids of each descriptor's fault states (`MetricDefinition.faultStates`).
    var faultStateIDs: [[Int32]] = []
    /// Metric ids by the names' bytes, and the descriptor of each metric id (its first definition).
    var metricIDByName = ByteKeyTable()
    var metricDescriptors: [Int32] = []

    /// Per-series context, by series index.
    var series: [SeriesState] = []
    /// Every device's series by metric id.
    var seriesMaps = SeriesMaps()
    /// `lists[series × tiers.count + tier]`: the series' open windows of that tier.
    var lists: [WindowList] = []
    /// Open windows of gauges and counters, of states, and the states' per-window entries.
    var numericWindows = SlotPool<NumericWindow>()
    /// The quantile bins of the numeric window in the same slot of `numericWindows` (a gauge's;
    /// a counter's stay empty), grown as slots are first used and kept for their next windows.
    var sketches: [WindowSketch] = []
    /// Reused by every merge of a finer window's sketch into a coarser one.
    var sketchMergeScratch: [SparseBins.Bin] = []
    /// Storage lent to the sketches of written gauge windows, as `emittedStateCounts` is to
    /// state windows: refilled for each (`WindowSketch.fill`), without allocating once the sink
    /// has dropped the previous window.
    var emittedSketch: QuantileSketch
    /// The sketches' mapping: one for every window, from `quantileAccuracy`.
    let sketchMapping: LogarithmicMapping
    var stateWindows = SlotPool<StateWindow>()
    var stateEntries = SlotPool<StateEntry>()
    /// Counter and state readings not yet in event order, in per-series lists
    /// (`WindowAggregator+EventOrder.swift`).
    var pending = SlotPool<PendingReading>()

    /// Scratch for `closeWindows`: one device's windows between taking them out and writing them.
    var closed: [ClosedWindow] = []
    /// Which devices `closeWindows` visits (`WindowAggregator+CloseQueue.swift`): those that
    /// sent or opened a window since the last call, and those idle time may make due, by when.
    var touchedDevices: [Int32] = []
    var closeSchedule = CloseSchedule()
    var devicesToCheckScratch: [Int32] = []
    /// The latest ingest clock and resume instant `closeWindows` was given: every device's
    /// watermark is as if carried forward to them (lazily, see `catchUp(device:)`).
    var carriedClockMillis: Int64 = .min
    var carriedResumedMillis: Int64 = .min
    /// `closeWindows` calls so far (`DeviceState.observedAtTick`).
    var carryTick = 0
    /// Delays from a watermark passing a window's end to its rollup, since this process started.
    public internal(set) var closeDelays = CloseDelayHistogram()
    /// Storage lent to the `StatePartial`s of written state windows. A sink that writes a rollup
    /// and drops it hands the storage back (unique again), so the next window reuses it without
    /// allocating; a sink that keeps rollups just makes the next one copy.
    var emittedStateCounts: [Name: Int] = [:]
    var emittedStateMillis: [Name: Int64] = [:]

    /// Interned states, one id per name (exact bytes): `stateNames[id]` is the name, and
    /// `stateIDByName` finds the id by the name's bytes.
    var stateNames: [String] = []
    var stateIDByName = ByteKeyTable()

    /// Tiers must be ascending, each a whole multiple of the previous one. `quantileAccuracy`
    /// is the α of the gauge windows' quantile sketches, in `QuantileSketch.relativeAccuracyRange`.
    public init(
        tiers: [Tier], allowedLatenessMillis: Int64, stateHorizonMillis: Int64,
        quantileAccuracy: Double = QuantileSketch.defaultRelativeAccuracy
    ) {
        precondition(!tiers.isEmpty, "at least one tier")
        for (finer, coarser) in zip(tiers, tiers.dropFirst()) {
            precondition(coarser.lengthMillis % finer.lengthMillis == 0, "tiers must nest")
        }
        precondition(QuantileSketch.relativeAccuracyRange.contains(quantileAccuracy), "quantile accuracy out of range")
        self.tiers = tiers
        self.allowedLatenessMillis = allowedLatenessMillis
        self.stateHorizonMillis = stateHorizonMillis
        self.sketchMapping = LogarithmicMapping(relativeAccuracy: quantileAccuracy)
        self.emittedSketch = QuantileSketch(mapping: sketchMapping, binLimit: Self.sketchBinLimit)
    }

    /// α of the gauge windows' quantile sketches: each quantile written is within α of the exact one.
    public var quantileAccuracy: Double { sketchMapping.relativeAccuracy }

    /// Bins per sign of a window's sketch: `QuantileSketch.defaultBinLimit` (2048 keys, a factor
    /// of 6 · 10¹⁷ at α = 1 %).
    static let sketchBinLimit = QuantileSketch.defaultBinLimit

    /// Series in memory: seen since start and not retired.
    public var seriesCount: Int { series.count - vacantNumericSeries.count - vacantStateSeries.count }

    /// Number of windows not yet written, over all series and tiers.
    public var openWindowCount: Int { numericWindows.inUse + stateWindows.inUse }

    /// Devices in memory: seen since start and not retired.
    public var deviceCount: Int { devices.count - vacantDevices.count }

    /// The index of `key`'s device if it was seen before: a device whose park, site and id
    /// have exactly these bytes.
    public func existingDeviceIndex(for key: DeviceKey) -> Int? {
        deviceIndexByKey[key]
    }

    /// The index of the series of the metric named exactly `metric` (its bytes) on device
    /// `device` if it exists.
    public func existingSeriesIndex(device: Int, metric: String) -> Int? {
        metricIDByName.value(for: metric).flatMap { existingSeriesIndex(device: device, metric: $0) }
    }

    /// The index of the series of metric id `metric` on device `device` if it exists. O(1).
    func existingSeriesIndex(device: Int, metric: Int32) -> Int? {
        seriesMaps.series(metric: metric, in: devices[device].seriesMap).map(Int.init)
    }

    // MARK: Adding readings

    /// Adds a gauge or counter reading to the open window of the finest tier (the coarser ones
    /// are built from it, `WindowAggregator+TierMerge.swift`), a gauge's also to the window's
    /// sketch. A counter's difference to the reading before it in event time is added once no
    /// earlier reading can arrive (see `WindowAggregator+EventOrder.swift`). O(1) for readings
    /// in order, and a binary search over a gauge window's bins.
    public mutating func add(_ value: Double, at timestampMillis: Int64, series index: Int) {
        if series[index].kind == .counter {
            settle(series: index, through: effectiveWatermark(device: Int(series[index].device)))
            enqueue(PendingReading(timestampMillis: timestampMillis, value: value, state: -1), series: index)
        }
        guard series[index].kind != .state else {
            _ = stateWindow(series: index, tier: 0, containing: timestampMillis)
            return
        }
        let slot = numericWindow(series: index, tier: 0, containing: timestampMillis)
        numericWindows[slot].partial.add(value, at: timestampMillis)
        if series[index].kind == .gauge {
            sketches[Int(slot)].add(value, mapping: sketchMapping, limit: Self.sketchBinLimit)
        }
    }

    /// Adds a state reading: counts it at once, and puts it in event order among the series'
    /// readings once no earlier one can arrive: then the state before it is credited up to it.
    public mutating func add(state: String, at timestampMillis: Int64, series index: Int) {
        add(state: stateID(for: state), at: timestampMillis, series: index)
    }

    /// `add(state:at:series:)` with an interned state id, to the finest tier's window.
    /// O(states in a window).
    mutating func add(state: Int32, at timestampMillis: Int64, series index: Int) {
        guard series[index].kind == .state else {
            _ = numericWindow(series: index, tier: 0, containing: timestampMillis)
            return
        }
        settle(series: index, through: effectiveWatermark(device: Int(series[index].device)))
        enqueue(PendingReading(timestampMillis: timestampMillis, value: 0, state: state), series: index)
        let slot = stateWindow(series: index, tier: 0, containing: timestampMillis)
        let entry = stateEntry(state, window: slot)
        stateEntries[entry].count += 1
        stateWindows[slot].count += 1
        if stateWindows[slot].firstState < 0 || timestampMillis < stateWindows[slot].firstMillis {
            stateWindows[slot].firstMillis = timestampMillis
            stateWindows[slot].firstState = state
        }
        if stateWindows[slot].lastState < 0 || timestampMillis >= stateWindows[slot].lastMillis {
            stateWindows[slot].lastMillis = timestampMillis
            stateWindows[slot].lastState = state
        }
    }

    // MARK: Closing

    /// Carries idle devices' watermarks forward to `ingestClockMillis` and emits every window
    /// that ended at or before its device's watermark, with `complete: true`, device by device
    /// (in device order) and, within a device, by series, tier and start. A device's idle time
    /// counts from its last message or from `resumedAtMillis` (receiving resumed after a gap),
    /// whichever is later: the broker's backlog for it may still be on its way. With `nowMillis`
    /// (the wall clock), each device's close made due by a message is timed into `closeDelays`.
    /// Visits only the devices that sent since the last call and those whose idle time may have
    /// made a window due (`WindowAggregator+CloseQueue.swift`): O((those devices) × log devices
    /// + windows closed), not O(devices).
    public mutating func closeWindows(
        ingestClockMillis: Int64, resumedAtMillis: Int64 = .min, nowMillis: Int64 = .min, emit: (RollupWindow) -> Void
    ) {
        advanceCarry(ingestClockMillis: ingestClockMillis, resumedAtMillis: resumedAtMillis)
        for device in devicesToCheck(atClockMillis: ingestClockMillis) {
            closeDue(device: Int(device), nowMillis: nowMillis, emit: emit)
            schedule(device: Int(device))
        }
    }

    /// Carries `device`'s watermark forward and emits its windows that ended at or before it.
    private mutating func closeDue(device: Int, nowMillis: Int64, emit: (RollupWindow) -> Void) {
        catchUp(device: device)
        let watermark = devices[device].watermark.millis
        guard watermark >= devices[device].nextCloseMillis else { return }
        var nextClose = Int64.max
        var index = Int(devices[device].firstSeries)
        while index >= 0 {
            if series[index].kind != .gauge { settle(series: index, through: watermark) }
            if series[index].kind == .state { creditState(series: index, through: watermark) }
            for tier in tiers.indices {
                let length = tiers[tier].lengthMillis
                let list = index * tiers.count + tier
                while !lists[list].isEmpty, lists[list].headStartMillis + length <= watermark {
                    closed.append(takeOldest(series: index, tier: tier))
                }
                if !lists[list].isEmpty {
                    nextClose = min(nextClose, lists[list].headStartMillis + length)
                }
            }
            nextClose = min(nextClose, stateCreditDueMillis(series: index))
            index = Int(series[index].nextOfDevice)
        }
        devices[device].nextCloseMillis = nextClose
        if devices[device].closeDueSinceMillis != .min {
            if nowMillis != .min { closeDelays.record(nowMillis - devices[device].closeDueSinceMillis) }
            devices[device].closeDueSinceMillis = .min
        }
        for position in closed.indices {
            let window = closed[position]
            emit(rollup(of: window, complete: true))
        }
        closed.removeAll(keepingCapacity: true)
    }

    /// Emits every open window with `complete: false` (a graceful stop at `stopMillis`) and
    /// forgets them. Every pending counter and state reading is put in event order first. A
    /// state in force is credited up to the stop: the latest of `stopMillis`, the device's
    /// newest event time and its watermark, at most `stateHorizonMillis` after the state's
    /// reading; while the horizon has not ended it, the window of each tier holding the stop's
    /// last millisecond says so (`StatePartial.inForceAtStop`), unless an earlier stop had
    /// already credited that far. A restart continues from the credited instant.
    public mutating func flushAll(stopMillis: Int64 = .min, emit: (RollupWindow) throws -> Void) rethrows {
        for device in devices.indices {
            try flush(device: device, stopMillis: stopMillis, emit: emit)
        }
    }

    /// `flushAll` for one device: emits its open windows with `complete: false` and forgets
    /// them (a graceful stop, or the device's retirement). O(its series × tiers + windows).
    mutating func flush(device: Int, stopMillis: Int64, emit: (RollupWindow) throws -> Void) rethrows {
        catchUp(device: device)
        let watermark = devices[device].watermark
        let stop = max(stopMillis, watermark.maxEventMillis, watermark.millis)
        var index = Int(devices[device].firstSeries)
        while index >= 0 {
            var inForce: StatePartial.TimedState?
            if series[index].kind != .gauge { settle(series: index, through: .max) }
            if series[index].kind == .state {
                let creditedBefore = series[index].creditedThroughMillis
                creditState(series: index, through: stop)
                if creditedBefore < stop { inForce = stateInForce(series: index, at: stop) }
            }
            for tier in tiers.indices {
                while !lists[index * tiers.count + tier].isEmpty {
                    var window = rollup(of: takeOldest(series: index, tier: tier), complete: false)
                    if let inForce, case .state(var partial) = window.partial, window.startMillis < stop,
                        stop <= window.endMillis
                    {
                        partial.inForceAtStop = inForce
                        window.partial = .state(partial)
                    }
                    try emit(window)
                }
            }
            index = Int(series[index].nextOfDevice)
        }
        devices[device].nextCloseMillis = .max
    }

    /// The state of `series` in force at `stop` with `stop` as its time, when one is: read
    /// before `stop` and not ended by the horizon by then.
    private func stateInForce(series index: Int, at stop: Int64) -> StatePartial.TimedState? {
        let state = series[index]
        guard state.currentState >= 0, state.stateSinceMillis < stop,
            stop < state.stateSinceMillis.addingSaturated(stateHorizonMillis)
        else { return nil }
        return StatePartial.TimedState(timestampMillis: stop, state: stateNames[Int(state.currentState)])
    }
}
