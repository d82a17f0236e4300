/// Which devices are done (silent long enough, no state still in force), and retiring them
/// in place: their slots, series and tables go to the next new devices, so that memory and every
/// per-pass loop follow the devices that are live, not every device ever seen. The pipeline
/// decides when (`IngestPipeline+Retirement.swift`).
extension WindowAggregator {
    /// True when `device` sent nothing for `silenceMillis` of ingest time (receive time) and no
    /// state of it is still in force: its watermark has passed every state's horizon, so the
    /// time of its states is all known. Its open windows do not keep it: `flush(device:…)`
    /// writes them cut short when it is retired, as a stop would, so that a departed device
    /// leaves memory after `silenceMillis` whatever its tiers (a `1h` window would otherwise
    /// keep it up to an hour). A device none of whose readings was ever accepted is never
    /// retired here: it has no receive time to measure silence from. O(its series).
    func isRetirable(device: Int, ingestClockMillis: Int64, silenceMillis: Int64) -> Bool {
        let state = devices[device]
        let lastReceived = state.watermark.lastReceivedMillis
        guard !state.isVacant, lastReceived != .min,
            ingestClockMillis.subtractingSaturated(lastReceived) >= silenceMillis
        else {
            return false
        }
        let watermark = effectiveWatermark(device: device)
        var index = Int(state.firstSeries)
        while index >= 0 {
            let one = series[index]
            if one.kind == .state {
                // The newest state reading: the one waiting for event order last, else the one in force.
                let latest =
                    one.pendingTail >= 0
                    ? pending[one.pendingTail].timestampMillis : one.currentState >= 0 ? one.stateSinceMillis : .min
                if latest != .min, watermark < latest.addingSaturated(stateHorizonMillis) { return false }
            }
            index = Int(one.nextOfDevice)
        }
        return true
    }

    /// Device slots in the table, vacant ones included: the range of device indices.
    var deviceSlots: Int { devices.count }

    /// True when the slot `device` holds a device (not a retired one's vacancy).
    func isLive(device: Int) -> Bool {
        !devices[device].isVacant
    }

    /// Forgets `device` (which `isRetirable` accepted) and its series: their slots, their
    /// series table's region and the device's key are kept for the next new ones. Its aliases
    /// stay until `forgetRetiredAliases()`. Returns how many series it had. O(its series × tiers).
    mutating func retire(device: Int) -> Int {
        precondition(!devices[device].isVacant, "a device is retired once")
        var count = 0
        var index = Int(devices[device].firstSeries)
        while index >= 0 {
            let next = Int(series[index].nextOfDevice)
            let kind = series[index].kind
            series[index] = SeriesState(device: -1, metric: -1, descriptor: -1, kind: kind)
            if kind == .state { vacantStateSeries.append(Int32(index)) } else { vacantNumericSeries.append(Int32(index)) }
            count += 1
            index = next
        }
        seriesMaps.vacate(devices[device].seriesMap)
        deviceIndexByKey[deviceKeys[device]] = nil
        deviceKeys[device] = DeviceKey(park: "", site: "", device: "")
        devices[device] = DeviceState()
        devices[device].isVacant = true
        vacantDevices.append(Int32(device))
        return count
    }

    /// Detaches the aliases (topics) of retired devices, so that a topic naming one again
    /// registers a new device; once they outnumber the live aliases, rebuilds the alias table
    /// without them, so that it follows the live devices too. O(aliases).
    mutating func forgetRetiredAliases() {
        for alias in aliasDevices.indices where aliasDevices[alias] >= 0 && devices[Int(aliasDevices[alias])].isVacant {
            aliasDevices[alias] = -1
            retiredAliases += 1
        }
        guard retiredAliases >= 1_024, retiredAliases * 2 > aliasDevices.count else { return }
        var kept: [Int32] = []
        kept.reserveCapacity(aliasDevices.count - retiredAliases)
        let devicesOfAliases = aliasDevices
        aliasByBytes = aliasByBytes.remapped { alias in
            let device = devicesOfAliases[Int(alias)]
            guard device >= 0 else { return nil }
            kept.append(device)
            return Int32(kept.count - 1)
        }
        aliasDevices = kept
        retiredAliases = 0
    }

    /// See `IngestPipeline.closeMarginMillis`. O(device slots).
    var closeMarginMillis: Int64 {
        var margin = Int64.max
        for device in devices.indices where !devices[device].isVacant && devices[device].nextCloseMillis != .max {
            margin = min(margin, devices[device].nextCloseMillis.subtractingSaturated(effectiveWatermark(device: device)))
        }
        return margin
    }
}
