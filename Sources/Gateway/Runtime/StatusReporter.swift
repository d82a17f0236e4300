import Foundation
import Logging
import Telemetry

/// Tells operators what the gateway is doing: a one-line status log every `interval`, and
/// `status.json` in the data directory (rewritten atomically 4 times a second) for scripts,
/// load tests and monitoring.
///
/// Used on the pipeline thread only.
final class StatusReporter {
    /// How often `status.json` is rewritten.
    static let fileIntervalMillis: Int64 = 250
    private let logger: Logger
    private let intervalMillis: Int64
    private let statusPath: String
    private var lastLogMillis: Int64 = 0
    private var lastFileMillis: Int64 = 0
    private var previous = PipelineStats()
    private var previousMillis: Int64 = .min
    /// Set while status.json cannot be written, so the failure is logged once per episode.
    private var fileFailing = false

    /// `intervalSeconds` = 0 turns the status log line off (status.json is still written).
    init(logger: Logger, intervalSeconds: Int, dataDirectory: String) {
        self.logger = logger
        self.intervalMillis = Int64(intervalSeconds) * 1000
        self.statusPath = dataDirectory + "/status.json"
    }

    /// Renders `snapshot`: `status.json` every `fileIntervalMillis`, the status line every
    /// interval, and after the engine stopped both once more with the totals.
    func report(_ snapshot: EngineSnapshot) {
        if snapshot.stopped {
            final(snapshot)
            return
        }
        let nowMillis = snapshot.takenAtMillis
        if nowMillis - lastFileMillis >= Self.fileIntervalMillis {
            writeFile(snapshot)
            lastFileMillis = nowMillis
        }
        guard intervalMillis > 0 else { return }
        if previousMillis == .min {
            previousMillis = nowMillis
            lastLogMillis = nowMillis
            return
        }
        guard nowMillis - lastLogMillis >= intervalMillis else { return }
        let stats = snapshot.stats
        let seconds = Double(nowMillis - previousMillis) / 1000
        func rate(_ now: Int, _ before: Int) -> String {
            String(format: "%.0f/s", Double(now - before) / max(seconds, 0.001))
        }
        let fill = Double(snapshot.ringUsedBytes) / Double(snapshot.ringCapacityBytes) * 100
        let broker = snapshot.connection.isConnected ? "broker connected" : "broker DISCONNECTED"
        let waitedMillis = snapshot.connection.backPressureNanos / 1_000_000
        var redelivered = stats.redeliveredReadings > 0 ? ", \(stats.redeliveredReadings) redelivered readings counted again" : ""
        if stats.retainedSkipped > 0 {
            redelivered += ", \(stats.retainedSkipped) retained messages skipped (ingest.accept_retained)"
        }
        logger.info(
            """
            status: \(rate(stats.readingsAccepted, previous.readingsAccepted)) readings accepted, \
            \(rate(stats.messages, previous.messages)) messages, \(rate(stats.quarantinedTotal, previous.quarantinedTotal)) quarantined; \
            ring \(String(format: "%.1f", fill))% full, \(snapshot.openWindows) windows open, \(stats.rollupsWritten) rollups written, \
            \(stats.seqMissing) seq missing\(redelivered), back-pressure \(waitedMillis) ms total; \(broker), storage \(snapshot.storageFailing ? "FAILING (\(snapshot.storageBufferedBytes) bytes waiting)" : "ok")
            """)
        previous = stats
        previousMillis = nowMillis
        lastLogMillis = nowMillis
    }

    /// The last report, at shutdown: totals since start.
    private func final(_ snapshot: EngineSnapshot) {
        writeFile(snapshot)
        let stats = snapshot.stats
        var metadata: Logger.Metadata = [
            "messages": "\(stats.messages)",
            "readings_accepted": "\(stats.readingsAccepted)",
            "quarantined": "\(stats.quarantinedTotal)",
            "seq_missing": "\(stats.seqMissing)",
            "redelivered_readings": "\(stats.redeliveredReadings)",
            "rollups_written": "\(stats.rollupsWritten)",
        ]
        for (reason, count) in stats.quarantined.sorted(by: { $0.key < $1.key }) {
            metadata["quarantined.\(reason.rawValue)"] = "\(count)"
        }
        if !stats.seqMissingByDevice.isEmpty {
            metadata["seq_missing_worst"] =
                "\(Self.worstGaps(stats, limit: 5).map { "\($0.key.park)/\($0.key.site)/\($0.key.device)=\($0.value)" }.joined(separator: ","))"
        }
        logger.info("stopped", metadata: metadata)
    }

    /// Devices with the most missing sequence numbers, most first.
    private static func worstGaps(_ stats: PipelineStats, limit: Int) -> [(key: DeviceKey, value: Int64)] {
        Array(stats.seqMissingByDevice.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(limit))
    }

    /// The `status.json` of `snapshot` (docs/formats.md), one line.
    static func json(_ snapshot: EngineSnapshot) -> [UInt8] {
        let stats = snapshot.stats
        var line = JSONLineBuilder()
        line.openObject()
        line.key("updated"); line.timestamp(millis: snapshot.takenAtMillis)
        line.key("stopped"); line.bool(snapshot.stopped)
        line.key("broker_connected"); line.bool(snapshot.connection.isConnected)
        line.key("reconnects"); line.integer(snapshot.connection.reconnects)
        line.key("messages_received"); line.integer(snapshot.connection.messagesReceived)
        line.key("messages"); line.integer(stats.messages)
        line.key("readings_accepted"); line.integer(stats.readingsAccepted)
        line.key("quarantined")
        line.openObject()
        for reason in QuarantineReason.allCases {
            line.key(reason.rawValue); line.integer(stats.quarantined[reason] ?? 0)
        }
        line.closeObject()
        line.key("seq_missing"); line.integer(stats.seqMissing)
        line.key("seq_missing_by_device")
        line.openObject()
        for (device, missing) in Self.worstGaps(stats, limit: 20) {
            line.key("\(device.park)/\(device.site)/\(device.device)"); line.integer(missing)
        }
        line.closeObject()
        line.key("seq_restarts"); line.integer(stats.seqRestarts)
        line.key("redelivered_messages"); line.integer(stats.redeliveredMessages)
        line.key("redelivered_readings"); line.integer(stats.redeliveredReadings)
        line.key("retained_skipped"); line.integer(stats.retainedSkipped)
        line.key("sparkplug_rebirth_requests"); line.integer(stats.sparkplugRebirthRequests)
        line.key("sparkplug_commands_skipped"); line.integer(stats.sparkplugCommandsSkipped)
        line.key("sparkplug_restated_values"); line.integer(stats.sparkplugRestatedValues)
        line.key("rollups_written"); line.integer(stats.rollupsWritten)
        line.key("open_windows"); line.integer(snapshot.openWindows)
        let delays = snapshot.closeDelays
        line.key("close_delay_ms")
        line.openObject()
        line.key("closes"); line.integer(delays.count)
        for (name, q) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
            line.key(name)
            if let value = delays.quantile(q) { line.integer(Int(value)) } else { line.null() }
        }
        line.closeObject()
        line.key("series"); line.integer(snapshot.series)
        line.key("devices_retired"); line.integer(stats.devicesRetired)
        line.key("series_retired"); line.integer(stats.seriesRetired)
        line.key("ring_used_bytes"); line.integer(snapshot.ringUsedBytes)
        line.key("ring_capacity_bytes"); line.integer(snapshot.ringCapacityBytes)
        line.key("ingest_lag_ms"); line.integer(snapshot.ingestLagMillis)
        line.key("back_pressure_ns"); line.integer(snapshot.connection.backPressureNanos)
        line.key("messages_truncated"); line.integer(snapshot.connection.truncatedMessages)
        line.key("bytes_written")
        line.openObject()
        line.key("rollups"); line.integer(snapshot.rollupBytesWritten)
        line.key("quarantine"); line.integer(snapshot.quarantineBytesWritten)
        line.closeObject()
        line.key("storage_failing"); line.bool(snapshot.storageFailing)
        line.key("storage_buffered_bytes"); line.integer(snapshot.storageBufferedBytes)
        line.closeObject()
        return line.bytes
    }

    private func writeFile(_ snapshot: EngineSnapshot) {
        let temporary = statusPath + ".tmp"
        do {
            try Data(Self.json(snapshot) + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, statusPath) == 0 else {
                throw SystemCallError(path: statusPath, operation: "rename", errno: errno)
            }
            if fileFailing {
                fileFailing = false
                logger.notice("status file is written again", metadata: ["path": "\(statusPath)"])
            }
        } catch {
            if !fileFailing {
                fileFailing = true
                logger.warning(
                    "cannot write the status file; retrying", metadata: ["path": "\(statusPath)", "error": "\(error)"])
            }
        }
    }
}
