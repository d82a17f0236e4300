/// Aggregates accepted readings into epoch-aligned tumbling windows of every tier and closes
/// them when the device's watermark passes their end.
///
/// Watermark of a device = its highest event time − allowed lateness. A device that sends
/// nothing for `allowedLateness` of ingest time has its watermark carried forward by the time
/// elapsed, so idle series still close. Readings older than the watermark are too late and must
/// be rejected by the caller (`isTooLate`) before `add`; accepted readings therefore always land
/// in open windows of every tier, which keeps the tiers consistent with each other.
/// Used from one thread. Memory: O(series × open windows).
public struct WindowAggregator {
    public let tiers: [Tier]
    public let allowedLatenessMillis: Int64
    public let stateHorizonMillis: Int64

    var devices: [DeviceState] = []
    var deviceIndexByKey: [DeviceKey: Int] = [:]
    var series: [SeriesState] = []

    /// Tiers must be ascending, each a whole multiple of the previous one.
    public init(tiers: [Tier], allowedLatenessMillis: Int64, stateHorizonMillis: Int64) {
        precondition(!tiers.isEmpty, "at least one tier")
        for (finer, coarser) in zip(tiers, tiers.dropFirst()) {
            precondition(coarser.lengthMillis % finer.lengthMillis == 0, "tiers must nest")
        }
        self.tiers = tiers
        self.allowedLatenessMillis = allowedLatenessMillis
        self.stateHorizonMillis = stateHorizonMillis
    }

    /// Number of series seen since start.
    public var seriesCount: Int { series.count }

    /// Number of windows not yet written, over all series and tiers.
    public var openWindowCount: Int {
        series.reduce(0) { total, state in total + state.windows.reduce(0) { $0 + $1.count } }
    }

    // MARK: Devices and series

    /// Devices seen since start.
    public var deviceCount: Int { devices.count }

    /// The index of `key`'s device if it was seen before.
    public func existingDeviceIndex(for key: DeviceKey) -> Int? {
        deviceIndexByKey[key]
    }

    /// The index of the series of `metric` on device `device` if it exists.
    public func existingSeriesIndex(device: Int, metric: String) -> Int? {
        devices[device].seriesByMetric[metric]
    }

    /// The index of `key`'s device, registering it on first sight. O(1) amortised.
    public mutating func deviceIndex(for key: DeviceKey) -> Int {
        if let index = deviceIndexByKey[key] { return index }
        devices.append(DeviceState(key: key))
        deviceIndexByKey[key] = devices.count - 1
        return devices.count - 1
    }

    /// The index of the series of `definition` on device `device`, registering it on first sight.
    public mutating func seriesIndex(device: Int, definition: MetricDefinition) -> Int {
        if let index = devices[device].seriesByMetric[definition.name] { return index }
        let key = SeriesKey(device: devices[device].key, metric: definition.name)
        series.append(SeriesState(key: key, device: device, definition: definition, tierCount: tiers.count))
        devices[device].series.append(series.count - 1)
        devices[device].seriesByMetric[definition.name] = series.count - 1
        return series.count - 1
    }

    /// True when a reading of `device` at `timestampMillis` falls before its watermark.
    public func isTooLate(device: Int, timestampMillis: Int64) -> Bool {
        timestampMillis < devices[device].watermarkMillis
    }

    /// The device's watermark, or `nil` before its first accepted reading.
    public func watermark(device: Int) -> Int64? {
        let value = devices[device].watermarkMillis
        return value == .min ? nil : value
    }

    /// Advances the device's event time after a message's readings were added.
    public mutating func observe(device: Int, maxEventMillis: Int64, receivedAtMillis: Int64) {
        var state = devices[device]
        state.maxEventMillis = max(state.maxEventMillis, maxEventMillis)
        state.watermarkMillis = max(state.watermarkMillis, state.maxEventMillis - allowedLatenessMillis)
        state.lastReceivedMillis = max(state.lastReceivedMillis, receivedAtMillis)
        devices[device] = state
    }

    // MARK: Adding readings

    /// Adds a gauge or counter reading to the open window of every tier. O(tiers).
    public mutating func add(_ value: Double, at timestampMillis: Int64, series index: Int) {
        var delta: (increase: Double, reset: Bool)?
        if series[index].kind == .counter {
            if let previous = series[index].previousCounterValue {
                delta = value >= previous ? (value - previous, false) : (value, true)
            }
            series[index].previousCounterValue = value
        }
        for tier in tiers.indices {
            let start = tiers[tier].windowStart(containing: timestampMillis)
            let slot = openWindow(series: index, tier: tier, start: start)
            guard case .numeric(var partial) = series[index].windows[tier][slot].partial else { continue }
            partial.add(value, at: timestampMillis)
            if let delta {
                partial.increase += delta.increase
                if delta.reset { partial.resets += 1 }
            }
            series[index].windows[tier][slot].partial = .numeric(partial)
        }
    }

    /// Adds a state reading: credits the previous state's time up to it, then counts it.
    /// An out-of-order reading (before time already credited) is counted but changes no durations.
    public mutating func add(state: String, at timestampMillis: Int64, series index: Int) {
        if timestampMillis >= series[index].creditedThroughMillis {
            creditState(series: index, through: timestampMillis)
            series[index].currentState = state
            series[index].stateSinceMillis = timestampMillis
            series[index].creditedThroughMillis = timestampMillis
        }
        for tier in tiers.indices {
            let start = tiers[tier].windowStart(containing: timestampMillis)
            let slot = openWindow(series: index, tier: tier, start: start)
            guard case .state(var partial) = series[index].windows[tier][slot].partial else { continue }
            series[index].windows[tier][slot].partial = .numeric(NumericPartial())  // drop the enum's reference so the dictionaries mutate in place
            partial.add(state, at: timestampMillis)
            series[index].windows[tier][slot].partial = .state(partial)
        }
    }

    // MARK: Closing

    /// Carries idle devices' watermarks forward to `ingestClockMillis` and emits every window
    /// that ended at or before its device's watermark, with `complete: true`.
    public mutating func closeWindows(ingestClockMillis: Int64, emit: (RollupWindow) throws -> Void) rethrows {
        for device in devices.indices {
            let lastReceived = devices[device].lastReceivedMillis
            let idleMillis = lastReceived == .min ? 0 : ingestClockMillis - lastReceived
            if lastReceived != .min && idleMillis >= allowedLatenessMillis {
                let carried = devices[device].maxEventMillis + idleMillis - allowedLatenessMillis
                devices[device].watermarkMillis = max(devices[device].watermarkMillis, carried)
            }
            let watermark = devices[device].watermarkMillis
            guard watermark >= devices[device].nextCloseMillis else { continue }
            var nextClose = Int64.max
            for index in devices[device].series {
                if series[index].kind == .state { creditState(series: index, through: watermark) }
                for tier in tiers.indices {
                    while let window = series[index].windows[tier].first,
                          window.startMillis + tiers[tier].lengthMillis <= watermark {
                        series[index].windows[tier].removeFirst()
                        try emit(rollup(series: index, tier: tier, window: window, complete: true))
                    }
                    if let window = series[index].windows[tier].first {
                        nextClose = min(nextClose, window.startMillis + tiers[tier].lengthMillis)
                    }
                }
            }
            devices[device].nextCloseMillis = nextClose
        }
    }

    /// Emits every open window with `complete: false` (shutdown) and forgets them.
    /// State time is credited up to each device's last event time.
    public mutating func flushAll(emit: (RollupWindow) throws -> Void) rethrows {
        for device in devices.indices {
            for index in devices[device].series {
                if series[index].kind == .state {
                    creditState(series: index, through: devices[device].maxEventMillis)
                }
                for tier in tiers.indices {
                    let windows = series[index].windows[tier]
                    series[index].windows[tier] = []
                    for window in windows {
                        try emit(rollup(series: index, tier: tier, window: window, complete: false))
                    }
                }
            }
            devices[device].nextCloseMillis = .max
        }
    }

    // MARK: Helpers

    private mutating func openWindow(series index: Int, tier: Int, start: Int64) -> Int {
        let before = series[index].windows[tier].count
        let slot = series[index].windowIndex(tier: tier, start: start)
        if series[index].windows[tier].count != before {
            let device = series[index].device
            devices[device].nextCloseMillis = min(devices[device].nextCloseMillis, start + tiers[tier].lengthMillis)
        }
        return slot
    }

    /// Credits the current state's time from `creditedThrough` up to `instant` (capped at the
    /// horizon after the state's reading) to the windows of every tier it overlaps.
    private mutating func creditState(series index: Int, through instant: Int64) {
        let from = series[index].creditedThroughMillis
        guard instant > from else { return }
        series[index].creditedThroughMillis = instant
        guard let state = series[index].currentState else { return }
        let until = min(instant, series[index].stateSinceMillis + stateHorizonMillis)
        guard until > from else { return }
        for tier in tiers.indices {
            var cursor = from
            while cursor < until {
                let start = tiers[tier].windowStart(containing: cursor)
                let end = min(until, start + tiers[tier].lengthMillis)
                let slot = openWindow(series: index, tier: tier, start: start)
                if case .state(var partial) = series[index].windows[tier][slot].partial {
                    series[index].windows[tier][slot].partial = .numeric(NumericPartial())
                    partial.addTime(end - cursor, in: state)
                    series[index].windows[tier][slot].partial = .state(partial)
                }
                cursor = end
            }
        }
    }

    private func rollup(series index: Int, tier: Int, window: OpenWindow, complete: Bool) -> RollupWindow {
        let state = series[index]
        return RollupWindow(
            tier: tiers[tier], startMillis: window.startMillis, series: state.key, kind: state.kind,
            unit: state.unit, partial: window.partial, complete: complete)
    }
}
