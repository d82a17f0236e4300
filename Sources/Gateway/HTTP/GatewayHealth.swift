import Foundation
import Hummingbird
import Synchronization
import Telemetry
import TelemetryIndex

/// `/healthz`: 200 when the broker is connected, the ring has room, storage writes, the engine
/// ticks and the index keeps up; 503 with the reasons otherwise. In `gateway run` it reads the
/// engine's latest snapshot; in `gateway serve` the running gateway's `status.json`.
struct GatewayHealth: Sendable {
    /// The engine's snapshots (`gateway run`); nil in `gateway serve`.
    let board: SnapshotBoard?
    /// The index writer's progress (`gateway run` with the index on).
    let indexProgress: (@Sendable () -> IndexWriter.Progress?)?
    /// `status.json` of the data directory, read when there is no board.
    let statusPath: String
    private let rollups = RollupClock()

    init(board: SnapshotBoard?, indexProgress: (@Sendable () -> IndexWriter.Progress?)?, statusPath: String) {
        self.board = board
        self.indexProgress = indexProgress
        self.statusPath = statusPath
    }

    /// A snapshot older than this means the engine stopped ticking (or no gateway runs).
    static let staleAfterMillis: Int64 = 30_000
    static let ringFillLimit = 0.9

    func response() -> Response {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var facts = Facts()
        if let snapshot = board?.snapshot {
            facts = Facts(
                updatedMillis: snapshot.takenAtMillis, brokerConnected: snapshot.connection.isConnected,
                ringFill: Double(snapshot.ringUsedBytes) / Double(max(1, snapshot.ringCapacityBytes)),
                storageFailing: snapshot.storageFailing, rollupsWritten: snapshot.stats.rollupsWritten)
        } else if board == nil {
            facts = Self.facts(statusPath: statusPath)
        }
        var reasons: [String] = []
        if let updated = facts.updatedMillis {
            if now - updated > Self.staleAfterMillis {
                reasons.append("the engine's status is \((now - updated) / 1000) s old (stalled, or no gateway running)")
            }
        } else {
            reasons.append(
                board == nil ? "no status.json from a running gateway at \(statusPath)" : "the engine has not ticked yet")
        }
        if facts.brokerConnected == false { reasons.append("broker disconnected") }
        if let fill = facts.ringFill, fill >= Self.ringFillLimit {
            reasons.append("write-ahead ring \(Int(fill * 100))% full")
        }
        if facts.storageFailing == true { reasons.append("writing the logs fails (disk full or unwritable?)") }
        let progress = indexProgress?()
        if progress?.failing == true { reasons.append("the query index cannot be written") }
        let lastRollupAge = facts.rollupsWritten.map { rollups.ageSeconds(count: $0, nowMillis: now) }

        var json = JSONLineBuilder()
        json.openObject()
        json.key("status")
        json.string(reasons.isEmpty ? "ok" : "unhealthy")
        json.key("reasons")
        json.openArray()
        for reason in reasons { json.string(reason) }
        json.closeArray()
        json.key("broker_connected")
        if let connected = facts.brokerConnected { json.bool(connected) } else { json.null() }
        json.key("ring_fill")
        if let fill = facts.ringFill { json.number(fill) } else { json.null() }
        json.key("last_rollup_age_seconds")
        if let age = lastRollupAge ?? nil { json.number(age) } else { json.null() }
        json.key("storage_failing")
        if let failing = facts.storageFailing { json.bool(failing) } else { json.null() }
        json.key("index_lag_bytes")
        if let lag = progress?.lagBytes { json.integer(lag) } else { json.null() }
        json.closeObject()
        return APIResponse.json(json.bytes, status: reasons.isEmpty ? .ok : .serviceUnavailable)
    }

    /// What the health check looks at, from a snapshot or `status.json`.
    struct Facts {
        var updatedMillis: Int64?
        var brokerConnected: Bool?
        var ringFill: Double?
        var storageFailing: Bool?
        var rollupsWritten: Int?
    }

    private static func facts(statusPath: String) -> Facts {
        guard let data = FileManager.default.contents(atPath: statusPath),
            let status = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return Facts() }
        let used = (status["ring_used_bytes"] as? NSNumber)?.doubleValue
        let capacity = (status["ring_capacity_bytes"] as? NSNumber)?.doubleValue
        return Facts(
            updatedMillis: (status["updated"] as? String).flatMap(TimeExpression.rfc3339UTCMillis),
            brokerConnected: status["broker_connected"] as? Bool,
            ringFill: used.flatMap { used in capacity.map { used / max(1, $0) } },
            storageFailing: status["storage_failing"] as? Bool, rollupsWritten: status["rollups_written"] as? Int)
    }
}

/// When the rollup count last grew, as seen by health checks: the age of the last rollup.
final class RollupClock: Sendable {
    private let seen = Mutex<(count: Int, sinceMillis: Int64)?>(nil)

    /// Seconds since `count` last changed; nil before a rollup was written.
    func ageSeconds(count: Int, nowMillis: Int64) -> Double? {
        seen.withLock { seen in
            if seen?.count != count { seen = (count, nowMillis) }
            guard count > 0, let since = seen?.sinceMillis else { return nil }
            return Double(nowMillis - since) / 1000
        }
    }
}
