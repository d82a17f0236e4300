import Foundation

/// Opening a data directory: recovery to the last checkpoint, then the first checkpoint of this
/// process, before any new message is taken.
extension IngestEngine {
    /// MQTT caps a topic at 65,535 bytes; the ring must hold the largest payload with such a topic.
    public static let maxTopicBytes = 65_535

    /// Opens (or creates) `configuration.dataDirectory`, brings it back to its last checkpoint
    /// (docs/crash-consistency.md), positions the ring to replay what the checkpoint does not
    /// reflect, and stores a first checkpoint, so that from here on every crash has one to
    /// return to. Repairs are reported to `observer` as they happen.
    public static func open(
        _ configuration: EngineConfiguration, connection: ConnectionState = ConnectionState(),
        observer: EngineObserver
    ) throws -> IngestEngine {
        try IngestEngine(opening: configuration, connection: connection, observer: observer)
    }

    /// Opens one of the two logs, reporting a torn last line it repaired and the leftovers of an
    /// interrupted segment rewrite it deleted.
    static func openLog(
        directory: String, baseName: String, policy: LogPolicy, nowMillis: Int64,
        observer: EngineObserver
    ) throws -> SegmentedLog {
        let log = try SegmentedLog(directory: directory, baseName: baseName, policy: policy, nowMillis: nowMillis)
        if log.repairedTailBytes > 0 {
            observer.record(
                EngineEvent(
                    .warning, "repaired a torn last line left by an earlier crash",
                    metadata: [
                        "path": log.path, "bytes_dropped": "\(log.repairedTailBytes)",
                    ]))
        }
        if log.rewriteLeftoversRemoved > 0 {
            observer.record(
                EngineEvent(
                    .notice, "deleted the temporary file of a segment rewrite an earlier crash interrupted",
                    metadata: [
                        "directory": log.segments.directory, "files": "\(log.rewriteLeftoversRemoved)",
                    ]))
        }
        return log
    }
}
