/// Device retirement: a device silent for `PipelineSettings.retireAfterMillis` whose states'
/// horizons have passed is forgotten, so that memory, checkpoints, window closing and
/// `max_series` follow the devices that are live rather than every device ever seen (machines
/// swapped, sensors re-flashed with new ids). Its windows still open are written first, cut
/// short (`complete: false`), as at a stop. A retired device that sends again is admitted as new: its
/// counters' first readings add no increase, its `seq` numbering starts afresh, its watermark
/// starts from its next reading, and its per-device counts (quarantined, seq missing) restart
/// at zero. The totals since start are kept.
///
/// How: a device is retired in place (`WindowAggregator.retire(device:)`): its slots go to the
/// next new devices and series, at a cost of O(its series), so a pass never stalls the pipeline
/// for the devices that stay. Slots reused keep the tables at their high-water mark; when half
/// of them or more are vacant (the fleet shrank after a peak), `compact()` rebuilds them at
/// the live size through the path every restart takes: the live state written as a checkpoint
/// and read back into new storage, O(live state).
extension IngestPipeline {
    /// What one retirement pass did.
    public struct Retirement: Sendable, Equatable {
        /// Devices retired, and their series.
        public var devices = 0
        public var series = 0
    }

    /// Retires every device that `WindowAggregator.isRetirable` finds silent for
    /// `settings.retireAfterMillis` of ingest time at `ingestClockMillis` (the engine's
    /// receive-time clock), writing its open windows cut short. Call it right after
    /// `closeWindows`. O(live series) to find them, O(their series + windows + aliases) to
    /// retire them.
    public func retireSilentDevices(ingestClockMillis: Int64) -> Retirement {
        var retirement = Retirement()
        for device in 0..<aggregator.deviceSlots
        where aggregator.isRetirable(
            device: device, ingestClockMillis: ingestClockMillis, silenceMillis: settings.retireAfterMillis)
        {
            aggregator.flush(device: device, stopMillis: .min) { window in
                stats.rollupsWritten += 1
                sink.write(window)
            }
            let key = aggregator.deviceKeys[device]
            stats.quarantinedByDevice[key] = nil
            stats.seqMissingByDevice[key] = nil
            if device < sequences.count { sequences[device].reset() }
            retirement.devices += 1
            retirement.series += aggregator.retire(device: device)
        }
        // Sparkplug B sessions no longer online (dead, or never born) and as silent: a node online
        // stays, however silent (report by exception), until its NDEATH.
        _ = sparkplug.removeAll { node in
            !node.isBorn && ingestClockMillis.subtractingSaturated(node.lastMessageMillis) >= settings.retireAfterMillis
        }
        guard retirement.devices > 0 else { return retirement }
        aggregator.forgetRetiredAliases()
        stats.devicesRetired += retirement.devices
        stats.seriesRetired += retirement.series
        return retirement
    }

    /// True when at least half of the device or series slots (and at least 1,024) are vacant:
    /// the fleet in memory shrank after a peak (as when a population of devices replaced
    /// another), and `compact()` would give the memory back.
    public var isSparse: Bool {
        let vacantDevices = aggregator.deviceSlots - aggregator.deviceCount
        let vacantSeries = aggregator.series.count - aggregator.seriesCount
        return (vacantDevices >= 1_024 && vacantDevices >= aggregator.deviceCount)
            || (vacantSeries >= 1_024 && vacantSeries >= aggregator.seriesCount)
    }

    /// The least event time, over the devices with open windows, before one of them has a
    /// window to close (its earliest window end less its watermark); `Int64.max` when none has
    /// one. `compact()` stalls the pipeline for a moment: the engine runs it when this is large,
    /// so that no window waits for it. O(device slots).
    public var closeMarginMillis: Int64 { aggregator.closeMarginMillis }

    /// Rebuilds the tables at the live size in new storage (see the file's header) and returns
    /// the freed memory to the system. Throws only if the state it has just written does not
    /// read back (a bug); the pipeline is then left as it was. O(live state).
    public func compact() throws(CheckpointError) {
        var writer = CheckpointWriter()
        writeCheckpointState(to: &writer)
        try restoreState(writer.bytes, format: CheckpointFile.version, releasingStorage: true)
        FreedMemory.returnToSystem()
    }
}
