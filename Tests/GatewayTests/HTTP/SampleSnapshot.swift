@testable import Telemetry

/// An engine snapshot in which every figure is a different number, so that a figure rendered
/// under the wrong name shows.
enum SampleSnapshot {
    static let takenAtMillis: Int64 = 1_764_547_200_123

    static func make() -> EngineSnapshot {
        var stats = PipelineStats()
        stats.messages = 1_001
        stats.readingsAccepted = 2_002
        stats.quarantined = [.outOfRange: 3, .duplicateSeq: 4]
        stats.seqMissing = 5
        stats.seqMissingByDevice = [DeviceKey(park: "p", site: "s", device: "d1"): 5]
        stats.seqRestarts = 6
        stats.redeliveredMessages = 7
        stats.redeliveredReadings = 8
        stats.rollupsWritten = 9
        stats.retainedSkipped = 10
        stats.sparkplugRebirthRequests = 15
        stats.sparkplugCommandsSkipped = 16
        stats.quarantinedByDevice = [DeviceKey(park: "p", site: "s", device: "d1"): 7]
        var delays = CloseDelayHistogram()
        delays.record(40)
        delays.record(120)
        return EngineSnapshot(
            takenAtMillis: takenAtMillis, stopped: false, stats: stats, openWindows: 11, series: 12, closeDelays: delays,
            ringUsedBytes: 4_096, ringCapacityBytes: 1 << 20, ingestLagMillis: 1_500, rollupBytesWritten: 123_456,
            quarantineBytesWritten: 7_890, storageFailing: false, storageBufferedBytes: 14,
            connection: ConnectionState.Snapshot(
                isConnected: true, connectedSinceMillis: 1, messagesReceived: 1_010, backPressureNanos: 2_500_000_000,
                truncatedMessages: 13, reconnects: 2))
    }
}
