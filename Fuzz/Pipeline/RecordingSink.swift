import Telemetry

/// Keeps everything a pipeline writes, in order, so that the program can check each op's
/// output and compare a restored pipeline's output with the original's.
final class RecordingSink: IngestSink {
    private(set) var rollups: [RollupWindow] = []
    private(set) var quarantined: [QuarantineRecord] = []

    /// Keeps the rollup.
    func write(_ rollup: RollupWindow) { rollups.append(rollup) }
    /// Keeps the quarantine record.
    func write(_ record: QuarantineRecord) { quarantined.append(record) }
}
