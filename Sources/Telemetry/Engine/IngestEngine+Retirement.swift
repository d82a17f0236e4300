/// Retirement passes: the engine's side of `IngestPipeline+Retirement.swift`.
extension IngestEngine {
    /// Retires the devices silent for `ingest.retire_after` by the ingest clock, and reports
    /// how many (at info level: it is the ordinary life of a fleet, not a fault).
    func retireSilentDevices() {
        let retirement: IngestPipeline.Retirement
        let began = ContinuousClock.now
        do {
            retirement = try pipeline.retireSilentDevices(ingestClockMillis: clock.millis)
        } catch {
            observer.record(
                EngineEvent(.error, "retiring silent devices failed, so they stay in memory (a bug: please report it): \(error)"))
            return
        }
        guard retirement.devices > 0 else { return }
        let minutes = pipeline.settings.retireAfterMillis / 60_000
        let silence = minutes > 0 ? "\(minutes) min" : "\(pipeline.settings.retireAfterMillis / 1_000) s"
        observer.record(
            EngineEvent(
                .info,
                "retired \(retirement.devices) devices (\(retirement.series) series) silent for \(silence) with nothing left to write; a retired device that sends again starts afresh",
                metadata: [
                    "devices_live": "\(pipeline.deviceCount)", "series_live": "\(pipeline.seriesCount)",
                    "pass_ms": "\(Int((ContinuousClock.now - began).inSeconds * 1_000))",
                ]))
    }
}
