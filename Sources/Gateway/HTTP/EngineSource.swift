import Foundation
import Telemetry

/// Where the HTTP API reads the engine's numbers for `/metrics` and `/api/v1/devices`: the
/// engine's own snapshots in `gateway run`; in `gateway serve`, the files the gateway running
/// beside it keeps in the data directory.
struct EngineSource: Sendable {
    /// The figures `/metrics` exports; nil when there are none (yet).
    let figures: @Sendable () -> EngineFigures?
    /// The per-device figures `/api/v1/devices` adds; nil when there are none. May read a file:
    /// call it off the concurrency pool.
    let deviceCounts: @Sendable () -> DeviceCounts?

    /// The engine's latest snapshot (`gateway run`), the one `status.json` is written from.
    static func board(_ board: SnapshotBoard) -> EngineSource {
        EngineSource(
            figures: { board.snapshot.map(EngineFigures.init) },
            deviceCounts: { board.snapshot.map { DeviceCounts($0.stats, takenAtMillis: $0.takenAtMillis) } })
    }

    /// The data directory `path` of a gateway running beside (`gateway serve`): the figures of
    /// its `status.json` (rewritten four times a second, so about 250 ms old while it runs) and
    /// the device counts of its `checkpoint` (at most `storage.checkpoint_interval` old, 2 s by
    /// default), each as of when the file was written; once that gateway stopped, its last
    /// numbers.
    static func dataDirectory(_ path: String) -> EngineSource {
        let checkpoint = CheckpointTotals(dataDirectory: path)
        let statusPath = path + "/status.json"
        return EngineSource(
            figures: { FileManager.default.contents(atPath: statusPath).flatMap(EngineFigures.init(statusJSON:)) },
            deviceCounts: { checkpoint.deviceCounts() })
    }
}
