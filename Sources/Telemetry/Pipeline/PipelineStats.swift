/// Running totals of what the pipeline did since start, for the status line and final report.
public struct PipelineStats: Sendable, Equatable {
    public var messages = 0
    public var readingsAccepted = 0
    /// Quarantine records written, by reason.
    public var quarantined: [QuarantineReason: Int] = [:]
    /// `quarantined` by device, for the quarantines whose topic named a device (matched the
    /// pattern with names within `ingest.max_name_bytes`), so that a fleet view can point at the
    /// devices sending bad data, including one never accepted. At most `ingest.max_series`
    /// devices: beyond that a device not listed yet is counted in `quarantined` only, so that
    /// devices invented by a hostile client cannot grow it without bound.
    public var quarantinedByDevice: [DeviceKey: Int] = [:]
    /// Sequence numbers skipped by devices (loss upstream of the gateway), net of gaps filled later.
    public var seqMissing: Int64 = 0
    /// `seqMissing` by device, for the devices with gaps (loss upstream of the gateway).
    public var seqMissingByDevice: [DeviceKey: Int64] = [:]
    /// Times a device restarted its sequence numbering.
    public var seqRestarts = 0
    /// Messages without `seq` or timestamps that the broker delivered again (same packet id and
    /// bytes, e.g. after a crash before the PUBACK); their readings were counted again.
    public var redeliveredMessages = 0
    /// Readings of `redeliveredMessages` counted again in the rollups (at least once).
    public var redeliveredReadings = 0
    public var rollupsWritten = 0
    /// Messages delivered with MQTT's retain flag and skipped (`ingest.accept_retained` false):
    /// the broker's stored copy, sent again on every subscribe.
    public var retainedSkipped = 0
    /// Devices retired after `ingest.retire_after` of silence, and their series
    /// (`IngestPipeline+Retirement.swift`).
    public var devicesRetired = 0
    public var seriesRetired = 0
    /// Sparkplug B rebirth requests sent to edge nodes (after rate limiting).
    public var sparkplugRebirthRequests = 0
    /// Sparkplug B messages that carry no readings for a host to take: other hosts' STATE, and
    /// commands (NCMD, DCMD) sent to edge nodes.
    public var sparkplugCommandsSkipped = 0
    /// Values of Sparkplug B births at or before the newest reading already taken from their
    /// device: the current value restated (after a rebirth), not a new reading.
    public var sparkplugRestatedValues = 0

    public init() {}

    /// All quarantine records written.
    public var quarantinedTotal: Int { quarantined.values.reduce(0, +) }
}
