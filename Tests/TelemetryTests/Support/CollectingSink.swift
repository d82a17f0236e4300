import Telemetry

/// Collects what the pipeline writes.
final class CollectingSink: IngestSink {
    var rollups: [RollupWindow] = []
    var quarantined: [QuarantineRecord] = []

    func write(_ rollup: RollupWindow) { rollups.append(rollup) }
    func write(_ record: QuarantineRecord) { quarantined.append(record) }
}
