/// Which devices are done: silent long enough, with nothing left to write. The pipeline retires
/// them (`IngestPipeline+Retirement.swift`), so that memory and every per-pass loop follow the
/// devices that are live, not every device ever seen.
extension WindowAggregator {
    /// True when `device` sent nothing for `silenceMillis` of ingest time (receive time) and
    /// holds nothing still to come: no open window, no reading waiting for event order, and no
    /// state whose time is still being credited (read less than `stateHorizonMillis` before the
    /// device's watermark). A device none of whose readings was ever accepted is never retired
    /// here: it has no receive time to measure silence from. O(its series × tiers).
    func isRetirable(device: Int, ingestClockMillis: Int64, silenceMillis: Int64) -> Bool {
        let state = devices[device]
        let lastReceived = state.watermark.lastReceivedMillis
        guard lastReceived != .min, ingestClockMillis.subtractingSaturated(lastReceived) >= silenceMillis else {
            return false
        }
        var index = Int(state.firstSeries)
        while index >= 0 {
            let one = series[index]
            if one.pendingHead >= 0 { return false }
            for tier in tiers.indices where !lists[index * tiers.count + tier].isEmpty { return false }
            if one.currentState >= 0,
                one.creditedThroughMillis < one.stateSinceMillis.addingSaturated(stateHorizonMillis)
            {
                return false
            }
            index = Int(one.nextOfDevice)
        }
        return true
    }

    /// The number of series of `device`. O(its series).
    func seriesCount(ofDevice device: Int) -> Int {
        var count = 0
        var index = Int(devices[device].firstSeries)
        while index >= 0 {
            count += 1
            index = Int(series[index].nextOfDevice)
        }
        return count
    }
}
