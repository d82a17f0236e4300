import Telemetry

/// The engine's per-device figures that `/api/v1/devices` adds to the query index's listing:
/// quarantines charged to each device and sequence numbers it skipped, as of `takenAtMillis`.
struct DeviceCounts: Sendable, Equatable {
    /// When the figures were taken: the snapshot's time (`gateway run`) or the checkpoint's
    /// (`gateway serve`).
    var takenAtMillis: Int64
    /// `PipelineStats.quarantinedByDevice`.
    var quarantined: [DeviceKey: Int]
    /// `PipelineStats.seqMissingByDevice`.
    var seqMissing: [DeviceKey: Int64]

    /// The figures of `stats`, taken at `takenAtMillis`.
    init(_ stats: PipelineStats, takenAtMillis: Int64) {
        self.takenAtMillis = takenAtMillis
        quarantined = stats.quarantinedByDevice
        seqMissing = stats.seqMissingByDevice
    }
}
