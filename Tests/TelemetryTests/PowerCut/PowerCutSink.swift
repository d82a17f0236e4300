@testable import Telemetry

/// The gateway's `LogSink` (Sources/Gateway/Runtime/LogSink.swift) for the power-cut driver:
/// rollups and quarantine to their `SegmentedLog`s; a failing log keeps its lines buffered and
/// says so in `isFailing` (here only after the power is gone).
final class PowerCutSink: IngestSink {
    let rollups: SegmentedLog
    let quarantine: SegmentedLog
    private var line = JSONLineBuilder()
    /// The logs whose last operation failed, by path.
    private var failingPaths: Set<String> = []

    init(rollups: SegmentedLog, quarantine: SegmentedLog) {
        self.rollups = rollups
        self.quarantine = quarantine
    }

    var isFailing: Bool { !failingPaths.isEmpty }

    func write(_ rollup: RollupWindow) {
        rollup.write(to: &line)
        append(to: rollups)
    }

    func write(_ record: QuarantineRecord) {
        record.write(to: &line, maxBytes: 4_096)
        append(to: quarantine)
    }

    /// `LogSink.flush`: writes buffered lines and applies each log's fsync and rotation policy.
    func flush(nowMillis: Int64) {
        for log in [rollups, quarantine] { attempt(log) { try log.flush(nowMillis: nowMillis) } }
    }

    /// `LogSink.sync`: both logs on stable storage.
    func sync() {
        for log in [rollups, quarantine] { attempt(log) { try log.sync() } }
    }

    /// `LogSink.close`.
    func close(nowMillis: Int64) {
        for log in [rollups, quarantine] {
            attempt(log) {
                try log.flush(nowMillis: nowMillis)
                try log.sync()
                try log.close()
            }
        }
    }

    private func append(to log: SegmentedLog) {
        attempt(log) { try line.bytes.withUnsafeBytes { try log.append($0) } }
    }

    private func attempt(_ log: SegmentedLog, _ body: () throws -> Void) {
        do {
            try body()
            failingPaths.remove(log.path)
        } catch {
            failingPaths.insert(log.path)
        }
    }
}
