/// Retirement passes and compaction: the engine's side of `IngestPipeline+Retirement.swift`.
extension IngestEngine {
    /// How close (in event time) the nearest window close may be when the tables are compacted:
    /// a compaction stalls the pipeline for tens of milliseconds, which must not delay a close.
    static let compactionCloseMarginMillis: Int64 = 2_000

    /// How long a compaction waits for such a quiet moment before it runs regardless (a fleet
    /// whose windows close at every instant, e.g. with skewed clocks, has none).
    static let compactionPatienceMillis: Int64 = 60_000

    /// Retires the devices silent for `ingest.retire_after` by the ingest clock, and reports
    /// how many (at info level: it is the ordinary life of a fleet, not a fault).
    func retireSilentDevices() {
        let began = ContinuousClock.now
        let retirement = pipeline.retireSilentDevices(ingestClockMillis: clock.millis)
        guard retirement.devices > 0 else { return }
        let minutes = pipeline.settings.retireAfterMillis / 60_000
        let silence = minutes > 0 ? "\(minutes) min" : "\(pipeline.settings.retireAfterMillis / 1_000) s"
        observer.record(
            EngineEvent(
                .info,
                "retired \(retirement.devices) devices (\(retirement.series) series) silent for \(silence), their open windows written cut short; a retired device that sends again starts afresh",
                metadata: [
                    "devices_live": "\(pipeline.deviceCount)", "series_live": "\(pipeline.seriesCount)",
                    "pass_ms": "\(Self.millis(since: began))",
                ]))
    }

    /// Once the tables are half vacant or more, rebuilds them at the live size, at a moment
    /// when no window is due to close within `compactionCloseMarginMillis` (or after
    /// `compactionPatienceMillis` of waiting for one). `sparseSinceMillis` is when the tables
    /// were first found sparse (wall clock), nil while they are not.
    func compactIfSparse(nowMillis: Int64, sparseSinceMillis: inout Int64?) {
        guard pipeline.isSparse else {
            sparseSinceMillis = nil
            return
        }
        let since = sparseSinceMillis ?? nowMillis
        sparseSinceMillis = since
        guard
            pipeline.closeMarginMillis >= Self.compactionCloseMarginMillis
                || nowMillis - since >= Self.compactionPatienceMillis
        else { return }
        let began = ContinuousClock.now
        do {
            try pipeline.compact()
        } catch {
            observer.record(
                EngineEvent(
                    .error, "compacting the device tables failed, so they stay as they were (a bug: please report it): \(error)"))
            sparseSinceMillis = nil
            return
        }
        sparseSinceMillis = nil
        observer.record(
            EngineEvent(
                .info, "compacted the device tables to the devices in memory, and returned the freed memory to the system",
                metadata: [
                    "devices_live": "\(pipeline.deviceCount)", "series_live": "\(pipeline.seriesCount)",
                    "pass_ms": "\(Self.millis(since: began))",
                ]))
    }

    private static func millis(since instant: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - instant).inSeconds * 1_000)
    }
}
