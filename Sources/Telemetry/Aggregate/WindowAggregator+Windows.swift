/// Open windows: finding, opening and closing them in the slot pools, and turning them into rollups.
extension WindowAggregator {
    /// Appends a window after the newest one of `series`/`tier` (restoring a checkpoint; the
    /// device's `nextCloseMillis` is restored separately), with a gauge's `sketch`. False when
    /// `partial` is of the other kind than the series.
    mutating func appendWindow(
        series index: Int, tier: Int, startMillis: Int64, partial: WindowPartial, sketch: WindowSketch? = nil
    ) -> Bool {
        let list = index * tiers.count + tier
        switch (series[index].kind, partial) {
        case (.gauge, .numeric(let numeric)), (.counter, .numeric(let numeric)):
            var window = NumericWindow(startMillis: startMillis)
            window.partial = numeric
            lists[list].append(window, in: &numericWindows)
            resetSketch(lists[list].tail)
            if let sketch { sketches[Int(lists[list].tail)] = sketch }
        case (.state, .state(let state)):
            var window = StateWindow(startMillis: startMillis)
            window.count = state.count
            window.transitions = state.transitions
            window.faults = state.faults
            if let first = state.first {
                window.firstMillis = first.timestampMillis
                window.firstState = stateID(for: first.state)
            }
            if let last = state.last {
                window.lastMillis = last.timestampMillis
                window.lastState = stateID(for: last.state)
            }
            lists[list].append(window, in: &stateWindows)
            let slot = lists[list].tail
            for (name, count) in state.stateCounts {
                let entry = stateEntry(stateID(for: name.string), window: slot)
                stateEntries[entry].count = count
            }
            for (name, millis) in state.stateMillis {
                let entry = stateEntry(stateID(for: name.string), window: slot)
                stateEntries[entry].millis = millis
                stateEntries[entry].hasTime = true
            }
        default:
            return false
        }
        return true
    }

    /// The numeric window of `series`/`tier` that contains `timestamp`, opened when missing.
    /// Usually the newest one: checked first, which saves the division of `Tier.windowStart`.
    mutating func numericWindow(series index: Int, tier: Int, containing timestamp: Int64) -> Int32 {
        let tail = lists[index * tiers.count + tier].tail
        if tail >= 0 {
            let start = numericWindows[tail].startMillis
            if timestamp >= start && timestamp - start < tiers[tier].lengthMillis { return tail }
        }
        return openNumericWindow(series: index, tier: tier, start: tiers[tier].windowStart(containing: timestamp))
    }

    /// The state window of `series`/`tier` that contains `timestamp`, opened when missing.
    mutating func stateWindow(series index: Int, tier: Int, containing timestamp: Int64) -> Int32 {
        let tail = lists[index * tiers.count + tier].tail
        if tail >= 0 {
            let start = stateWindows[tail].startMillis
            if timestamp >= start && timestamp - start < tiers[tier].lengthMillis { return tail }
        }
        return openStateWindow(series: index, tier: tier, start: tiers[tier].windowStart(containing: timestamp))
    }

    /// The numeric window of `series`/`tier` starting at `start`, opened when missing.
    mutating func openNumericWindow(series index: Int, tier: Int, start: Int64) -> Int32 {
        let (slot, inserted) = lists[index * tiers.count + tier].window(startingAt: start, in: &numericWindows)
        if inserted {
            resetSketch(slot)
            windowOpened(series: index, end: start + tiers[tier].lengthMillis)
        }
        return slot
    }

    /// Empties the sketch of numeric window slot `slot`, just opened (its bins' storage is
    /// kept from the slot's earlier windows; a slot used for the first time gets one).
    mutating func resetSketch(_ slot: Int32) {
        let index = Int(slot)
        if index < sketches.count {
            sketches[index].reset()
        } else {
            sketches.append(contentsOf: repeatElement(WindowSketch(), count: index + 1 - sketches.count))
        }
    }

    /// The state window of `series`/`tier` starting at `start`, opened when missing.
    mutating func openStateWindow(series index: Int, tier: Int, start: Int64) -> Int32 {
        let (slot, inserted) = lists[index * tiers.count + tier].window(startingAt: start, in: &stateWindows)
        if inserted { windowOpened(series: index, end: start + tiers[tier].lengthMillis) }
        return slot
    }

    mutating func windowOpened(series index: Int, end: Int64) {
        let device = Int(series[index].device)
        devices[device].nextCloseMillis = min(devices[device].nextCloseMillis, end)
        touch(device: device)
    }

    /// The entry of interned state `state` in state window `window`, added when missing.
    mutating func stateEntry(_ state: Int32, window: Int32) -> Int32 {
        var entry = stateWindows[window].entries
        while entry >= 0 {
            if stateEntries[entry].state == state { return entry }
            entry = stateEntries[entry].next
        }
        entry = stateEntries.allocate(StateEntry(state: state, next: stateWindows[window].entries))
        stateWindows[window].entries = entry
        return entry
    }

    /// Unlinks the oldest open window of `series`/`tier` (which must exist) and merges it into
    /// the next coarser tier's window. A counter's window is copied out and released; a gauge's
    /// and a state's window stay allocated until `rollup(of:complete:)`.
    mutating func takeOldest(series index: Int, tier: Int) -> ClosedWindow {
        let list = index * tiers.count + tier
        if series[index].kind == .state {
            let slot = lists[list].removeFirst(in: &stateWindows)
            mergeIntoCoarser(state: slot, series: index, tier: tier)
            return ClosedWindow(
                series: Int32(index), tier: Int32(tier), startMillis: stateWindows[slot].startMillis, stateSlot: slot,
                numeric: NumericPartial(), gaugeSlot: -1)
        }
        let slot = lists[list].removeFirst(in: &numericWindows)
        mergeIntoCoarser(numeric: slot, series: index, tier: tier)
        let isGauge = series[index].kind == .gauge
        let closed = ClosedWindow(
            series: Int32(index), tier: Int32(tier), startMillis: numericWindows[slot].startMillis, stateSlot: -1,
            numeric: numericWindows[slot].partial, gaugeSlot: isGauge ? slot : -1)
        if !isGauge { lists[list].release(slot, in: &numericWindows) }
        return closed
    }

    /// The rollup of a window taken out by `takeOldest`; releases a gauge's or a state's window.
    mutating func rollup(of window: ClosedWindow, complete: Bool) -> RollupWindow {
        let partial: WindowPartial
        var sketch: QuantileSketch?
        if window.gaugeSlot >= 0 {
            partial = .numeric(window.numeric)
            sketches[Int(window.gaugeSlot)].fill(&emittedSketch, partial: window.numeric)
            sketch = emittedSketch
            lists[Int(window.series) * tiers.count + Int(window.tier)].release(window.gaugeSlot, in: &numericWindows)
        } else if window.stateSlot >= 0 {
            partial = .state(emittedStatePartial(of: window.stateSlot))
            releaseEntries(of: window.stateSlot)
            lists[Int(window.series) * tiers.count + Int(window.tier)].release(window.stateSlot, in: &stateWindows)
        } else {
            partial = .numeric(window.numeric)
        }
        return rollup(
            series: Int(window.series), tier: Int(window.tier), startMillis: window.startMillis,
            partial: partial, complete: complete, sketch: sketch)
    }

    /// The `StatePartial` of state window `slot`.
    func statePartial(of slot: Int32) -> StatePartial {
        var partial = StatePartial()
        var entry = stateWindows[slot].entries
        while entry >= 0 {
            let value = stateEntries[entry]
            if value.count > 0 { partial.stateCounts[Name(stateNames[Int(value.state)])] = value.count }
            if value.hasTime { partial.stateMillis[Name(stateNames[Int(value.state)])] = value.millis }
            entry = value.next
        }
        return withCountAndEnds(partial, of: slot)
    }

    /// `statePartial(of:)` with its dictionaries built in `emittedStateCounts`/`…Millis`.
    mutating func emittedStatePartial(of slot: Int32) -> StatePartial {
        emittedStateCounts.removeAll(keepingCapacity: true)
        emittedStateMillis.removeAll(keepingCapacity: true)
        var entry = stateWindows[slot].entries
        while entry >= 0 {
            let value = stateEntries[entry]
            if value.count > 0 { emittedStateCounts[Name(stateNames[Int(value.state)])] = value.count }
            if value.hasTime { emittedStateMillis[Name(stateNames[Int(value.state)])] = value.millis }
            entry = value.next
        }
        var partial = StatePartial()
        partial.stateCounts = emittedStateCounts
        partial.stateMillis = emittedStateMillis
        return withCountAndEnds(partial, of: slot)
    }

    /// `partial` with the count, first and last reading of state window `slot`.
    func withCountAndEnds(_ partial: StatePartial, of slot: Int32) -> StatePartial {
        var partial = partial
        let window = stateWindows[slot]
        partial.count = window.count
        partial.transitions = window.transitions
        partial.faults = window.faults
        if window.firstState >= 0 {
            partial.first = StatePartial.TimedState(
                timestampMillis: window.firstMillis, state: stateNames[Int(window.firstState)])
        }
        if window.lastState >= 0 {
            partial.last = StatePartial.TimedState(timestampMillis: window.lastMillis, state: stateNames[Int(window.lastState)])
        }
        return partial
    }

    /// Returns the entries of state window `slot` to their pool.
    mutating func releaseEntries(of slot: Int32) {
        var entry = stateWindows[slot].entries
        while entry >= 0 {
            let next = stateEntries[entry].next
            stateEntries.release(entry)
            entry = next
        }
        stateWindows[slot].entries = -1
    }

    /// Credits the current state's time from `creditedThrough` up to `instant` (capped at the
    /// horizon after the state's reading) to the finest tier's windows it overlaps.
    mutating func creditState(series index: Int, through instant: Int64) {
        let from = series[index].creditedThroughMillis
        guard instant > from else { return }
        series[index].creditedThroughMillis = instant
        let state = series[index].currentState
        guard state >= 0 else { return }
        let until = min(instant, series[index].stateSinceMillis + stateHorizonMillis)
        guard until > from else { return }
        let isState = series[index].kind == .state
        let isFault = isState && faultStateIDs[Int(series[index].descriptor)].contains(state)
        let finest = tiers[0]
        var cursor = from
        while cursor < until {
            let start = finest.windowStart(containing: cursor)
            let end = min(until, start + finest.lengthMillis)
            if isState {
                let slot = openStateWindow(series: index, tier: 0, start: start)
                let entry = stateEntry(state, window: slot)
                stateEntries[entry].hasTime = true
                stateEntries[entry].millis += end - cursor
                if isFault { stateWindows[slot].faults.credit(fromMillis: cursor, toMillis: end, windowStartMillis: start) }
            } else {
                _ = openNumericWindow(series: index, tier: 0, start: start)
            }
            cursor = end
        }
    }

    /// When `series`' state in force still has time to be credited (its horizon has not ended):
    /// the end of the horizon, the instant by which the device must be visited again even if
    /// it has no window open (crediting stopped exactly at a window's end, so the window the
    /// time goes to is not open yet); else `Int64.max`. A device's `nextCloseMillis` includes
    /// it, so a silent machine's state is credited up to its horizon, and it can then retire.
    func stateCreditDueMillis(series index: Int) -> Int64 {
        let state = series[index]
        guard state.kind == .state, state.currentState >= 0 else { return .max }
        let horizonEnd = state.stateSinceMillis.addingSaturated(stateHorizonMillis)
        return state.creditedThroughMillis < horizonEnd ? horizonEnd : .max
    }

    func rollup(
        series index: Int, tier: Int, startMillis: Int64, partial: WindowPartial, complete: Bool,
        sketch: QuantileSketch? = nil
    ) -> RollupWindow {
        let state = series[index]
        let descriptor = descriptors[Int(state.descriptor)]
        var partial = partial
        if case .state(var statePartial) = partial {
            statePartial.upMillis = Self.millis(in: descriptor.upStates, of: statePartial)
            statePartial.plannedMillis = Self.millis(in: descriptor.plannedStates, of: statePartial)
            partial = .state(statePartial)
        }
        return RollupWindow(
            tier: tiers[tier], startMillis: startMillis,
            series: SeriesKey(device: deviceKeys[Int(state.device)], metric: descriptor.name), kind: state.kind,
            unit: descriptor.unit, partial: partial, complete: complete, sketch: sketch)
    }

    /// The milliseconds `partial` spent in the states `names` (by their bytes).
    private static func millis(in names: [String], of partial: StatePartial) -> Int64 {
        names.reduce(0) { total, name in total + (partial.stateMillis[Name(name)] ?? 0) }
    }
}
