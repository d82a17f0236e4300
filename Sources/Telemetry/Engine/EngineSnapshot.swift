/// The gateway's state at one tick, the one value that `status.json` and the status line render
/// from, so that each figure is defined once.
public struct EngineSnapshot: Sendable {
    /// Wall-clock milliseconds when it was taken.
    public var takenAtMillis: Int64
    /// True for the last snapshot, after the engine stopped.
    public var stopped: Bool
    public var stats: PipelineStats
    public var openWindows: Int
    public var series: Int
    /// Delay between a window's end and its rollup line, since start.
    public var closeDelays: CloseDelayHistogram
    public var ringUsedBytes: Int
    public var ringCapacityBytes: Int
    /// How far behind the pipeline is: the age, in ms, of the oldest message in the ring not
    /// ingested yet (0 when the ring holds none). It grows while the pipeline falls behind the
    /// broker or storage stalls it, and after a restart it counts from the original receipt of
    /// the messages replayed.
    public var ingestLagMillis: Int64
    /// Bytes written to the rollup log and to the quarantine log since start (what reached the
    /// file system, not what waits in memory).
    public var rollupBytesWritten: Int64
    public var quarantineBytesWritten: Int64
    /// True while a log cannot be written; `storageBufferedBytes` wait in memory meanwhile.
    public var storageFailing: Bool
    public var storageBufferedBytes: Int
    public var connection: ConnectionState.Snapshot
}
