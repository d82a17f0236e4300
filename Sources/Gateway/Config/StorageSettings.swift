import Telemetry

/// Where and how the rollup and quarantine logs are written.
struct StorageSettings: Sendable, Equatable {
    /// Directory holding both logs, relative to the gateway's working directory (not to the
    /// config file), created when missing.
    var dataDirectory = "data"
    /// Rotation and fsync of the rollup log, the source of truth for every query.
    var rollupLog = LogPolicy()
    /// Rotation, fsync and retention of the quarantine log; smaller, longer-lived segments by
    /// default, kept up to 1 GiB and 30 days so that a flood of bad input cannot fill the disk.
    var quarantineLog = LogPolicy(
        maxSegmentBytes: 16 << 20, maxSegmentAgeMillis: 86_400_000,
        fsync: .interval(milliseconds: 1_000), retainBytes: 1 << 30, retainAgeMillis: 30 * 86_400_000)
    /// How much of a rejected payload is copied into its quarantine line.
    var quarantinePayloadExcerptBytes = 512
    /// At most this many quarantine lines a second carry a payload excerpt; the rest say
    /// `"payload_omitted":true`, so a flood of bad input cannot flood the disk with copies.
    var quarantineExcerptsPerSecond = 100
    /// Longest quarantine line: longer records have their text fields cut (`"cut":true`).
    var quarantineMaxLineBytes = 4_096
    /// Rejected readings of one message written one line each; the rest share one line.
    var quarantineReadingsPerMessage = 10
    /// How often the pipeline's state is checkpointed, freeing the write-ahead ring up to that
    /// point; also whenever half of the ring is waiting for a checkpoint.
    var checkpointIntervalMillis: Int64 = 2_000

    /// All defaults.
    init() {}
}
