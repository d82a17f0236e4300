import Foundation
import Telemetry
import TelemetryIndex

/// The engine's numbers as `status.json` shows them and `/metrics` exports them: built from an
/// `EngineSnapshot` (`gateway run`) or read back from the `status.json` written from one
/// (`gateway serve`), so that both endpoints render one value the same way.
struct EngineFigures: Sendable, Equatable {
    /// When the snapshot was taken (ms since the epoch).
    var takenAtMillis: Int64
    var brokerConnected: Bool
    var messagesReceived: Int64
    var messages: Int64
    var readingsAccepted: Int64
    /// Every reason, 0 included.
    var quarantined: [QuarantineReason: Int64]
    var seqMissing: Int64
    var seqRestarts: Int64
    var redeliveredMessages: Int64
    var retainedSkipped: Int64
    /// Sparkplug B rebirth requests sent, and STATE and command messages skipped.
    var sparkplugRebirthRequests: Int64
    var sparkplugCommandsSkipped: Int64
    var rollupsWritten: Int64
    var openWindows: Int64
    var series: Int64
    /// Nil before the first window closed.
    var closeDelayP99Millis: Int64?
    var ringUsedBytes: Int64
    var ringCapacityBytes: Int64
    var ingestLagMillis: Int64
    var backPressureNanos: Int64
    var messagesTruncated: Int64
    var rollupBytesWritten: Int64
    var quarantineBytesWritten: Int64
    var reconnects: Int64
    var storageFailing: Bool
    var storageBufferedBytes: Int64

    /// The figures of `snapshot`.
    init(_ snapshot: EngineSnapshot) {
        let stats = snapshot.stats
        let connection = snapshot.connection
        takenAtMillis = snapshot.takenAtMillis
        brokerConnected = connection.isConnected
        messagesReceived = Int64(clamping: connection.messagesReceived)
        messages = Int64(clamping: stats.messages)
        readingsAccepted = Int64(clamping: stats.readingsAccepted)
        quarantined = Dictionary(
            uniqueKeysWithValues: QuarantineReason.allCases.map { ($0, Int64(clamping: stats.quarantined[$0] ?? 0)) })
        seqMissing = stats.seqMissing
        seqRestarts = Int64(clamping: stats.seqRestarts)
        redeliveredMessages = Int64(clamping: stats.redeliveredMessages)
        retainedSkipped = Int64(clamping: stats.retainedSkipped)
        sparkplugRebirthRequests = Int64(clamping: stats.sparkplugRebirthRequests)
        sparkplugCommandsSkipped = Int64(clamping: stats.sparkplugCommandsSkipped)
        rollupsWritten = Int64(clamping: stats.rollupsWritten)
        openWindows = Int64(clamping: snapshot.openWindows)
        series = Int64(clamping: snapshot.series)
        closeDelayP99Millis = snapshot.closeDelays.quantile(0.99)
        ringUsedBytes = Int64(clamping: snapshot.ringUsedBytes)
        ringCapacityBytes = Int64(clamping: snapshot.ringCapacityBytes)
        ingestLagMillis = snapshot.ingestLagMillis
        backPressureNanos = Int64(clamping: connection.backPressureNanos)
        messagesTruncated = Int64(clamping: connection.truncatedMessages)
        rollupBytesWritten = snapshot.rollupBytesWritten
        quarantineBytesWritten = snapshot.quarantineBytesWritten
        reconnects = Int64(clamping: connection.reconnects)
        storageFailing = snapshot.storageFailing
        storageBufferedBytes = Int64(clamping: snapshot.storageBufferedBytes)
    }

    /// The figures of a `status.json` (docs/formats.md); nil when it is not one, or lacks a
    /// field (written by an older gateway): a missing number is left out, never shown as 0.
    init?(statusJSON data: Data) {
        guard let status = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        func integer(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
        func bool(_ value: Any?) -> Bool? { value as? Bool }
        let reasons = status["quarantined"] as? [String: Any] ?? [:]
        let logs = status["bytes_written"] as? [String: Any] ?? [:]
        let delays = status["close_delay_ms"] as? [String: Any] ?? [:]
        var quarantined: [QuarantineReason: Int64] = [:]
        for reason in QuarantineReason.allCases {
            guard let count = integer(reasons[reason.rawValue]) else { return nil }
            quarantined[reason] = count
        }
        guard let updated = (status["updated"] as? String).flatMap(TimeExpression.rfc3339UTCMillis),
            let brokerConnected = bool(status["broker_connected"]),
            let messagesReceived = integer(status["messages_received"]), let messages = integer(status["messages"]),
            let readingsAccepted = integer(status["readings_accepted"]), let seqMissing = integer(status["seq_missing"]),
            let seqRestarts = integer(status["seq_restarts"]),
            let redeliveredMessages = integer(status["redelivered_messages"]),
            let retainedSkipped = integer(status["retained_skipped"]),
            let rollupsWritten = integer(status["rollups_written"]), let openWindows = integer(status["open_windows"]),
            let series = integer(status["series"]), delays["p99"] != nil,
            let ringUsedBytes = integer(status["ring_used_bytes"]),
            let ringCapacityBytes = integer(status["ring_capacity_bytes"]),
            let ingestLagMillis = integer(status["ingest_lag_ms"]),
            let backPressureNanos = integer(status["back_pressure_ns"]),
            let messagesTruncated = integer(status["messages_truncated"]),
            let rollupBytesWritten = integer(logs["rollups"]), let quarantineBytesWritten = integer(logs["quarantine"]),
            let reconnects = integer(status["reconnects"]), let storageFailing = bool(status["storage_failing"]),
            let storageBufferedBytes = integer(status["storage_buffered_bytes"])
        else { return nil }
        takenAtMillis = updated
        self.brokerConnected = brokerConnected
        self.messagesReceived = messagesReceived
        self.messages = messages
        self.readingsAccepted = readingsAccepted
        self.quarantined = quarantined
        self.seqMissing = seqMissing
        self.seqRestarts = seqRestarts
        self.redeliveredMessages = redeliveredMessages
        self.retainedSkipped = retainedSkipped
        // Absent from a status written before Sparkplug B was read.
        sparkplugRebirthRequests = integer(status["sparkplug_rebirth_requests"]) ?? 0
        sparkplugCommandsSkipped = integer(status["sparkplug_commands_skipped"]) ?? 0
        self.rollupsWritten = rollupsWritten
        self.openWindows = openWindows
        self.series = series
        closeDelayP99Millis = integer(delays["p99"])
        self.ringUsedBytes = ringUsedBytes
        self.ringCapacityBytes = ringCapacityBytes
        self.ingestLagMillis = ingestLagMillis
        self.backPressureNanos = backPressureNanos
        self.messagesTruncated = messagesTruncated
        self.rollupBytesWritten = rollupBytesWritten
        self.quarantineBytesWritten = quarantineBytesWritten
        self.reconnects = reconnects
        self.storageFailing = storageFailing
        self.storageBufferedBytes = storageBufferedBytes
    }
}
