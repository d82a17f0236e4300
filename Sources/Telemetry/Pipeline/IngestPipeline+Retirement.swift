/// Device retirement: a device silent for `PipelineSettings.retireAfterMillis` with nothing left
/// to write is forgotten, so that memory, checkpoints, window closing and `max_series` follow
/// the devices that are live rather than every device ever seen (machines swapped, sensors
/// re-flashed with new ids). A retired device that sends again is admitted as new: its
/// counters' first readings add no increase, its `seq` numbering starts afresh, its watermark
/// starts from its next reading, and its per-device counts (quarantined, seq missing) restart
/// at zero. The totals since start are kept.
///
/// How: the pipeline's state is written as a checkpoint without the retired devices and read
/// back into new storage. That path is the one every restart takes (and every test of it
/// covers), and it renumbers the devices and series that stay and compacts the window pools.
/// It costs O(live state), like a checkpoint, so the engine runs it at most once a minute.
extension IngestPipeline {
    /// What one retirement pass did.
    public struct Retirement: Sendable, Equatable {
        /// Devices retired, and their series.
        public var devices = 0
        public var series = 0
    }

    /// Retires every device that `WindowAggregator.isRetirable` finds silent for
    /// `settings.retireAfterMillis` of ingest time at `ingestClockMillis` (the engine's
    /// receive-time clock). Call it right after `closeWindows`. O(devices) to find them, and
    /// O(live state) when there are some. Throws only if the state it has just written does not
    /// read back (a bug); the pipeline is then left as it was, every device kept.
    public func retireSilentDevices(ingestClockMillis: Int64) throws(CheckpointError) -> Retirement {
        var retirement = Retirement()
        var live = [Bool](repeating: true, count: aggregator.deviceCount)
        for device in live.indices
        where aggregator.isRetirable(
            device: device, ingestClockMillis: ingestClockMillis, silenceMillis: settings.retireAfterMillis)
        {
            live[device] = false
            retirement.devices += 1
            retirement.series += aggregator.seriesCount(ofDevice: device)
        }
        guard retirement.devices > 0 else { return retirement }
        let retiredKeys = live.indices.filter { !live[$0] }.map { aggregator.deviceKeys[$0] }
        var writer = CheckpointWriter()
        writeCheckpointState(to: &writer, live: live)
        try restoreState(writer.bytes, format: CheckpointFile.version, releasingStorage: true)
        for key in retiredKeys {
            stats.quarantinedByDevice[key] = nil
            stats.seqMissingByDevice[key] = nil
        }
        stats.devicesRetired += retirement.devices
        stats.seriesRetired += retirement.series
        FreedMemory.returnToSystem()
        return retirement
    }
}
