/// A consistent cut of the gateway: the pipeline's state after consuming every ring record
/// before `ringPosition`, and where the rollup and quarantine logs ended at that moment.
/// Recovery cuts the logs back to those positions, restores the state and replays the ring
/// from `ringPosition`, so every message is reflected exactly once.
public struct IngestCheckpoint: Sendable, Equatable {
    public var ringPosition: Int
    public var rollupLog: LogPosition
    public var quarantineLog: LogPosition
    public var createdAtMillis: Int64
    /// `IngestPipeline.checkpointState()`.
    public var pipelineState: [UInt8]
    /// The checkpoint format `pipelineState` is in: `CheckpointFile.version`, or the older one
    /// of the file it was read from (`IngestPipeline.restoreState(_:format:)` takes it).
    public var format: UInt64

    public init(
        ringPosition: Int, rollupLog: LogPosition, quarantineLog: LogPosition, createdAtMillis: Int64, pipelineState: [UInt8],
        format: UInt64 = CheckpointFile.version
    ) {
        self.ringPosition = ringPosition
        self.rollupLog = rollupLog
        self.quarantineLog = quarantineLog
        self.createdAtMillis = createdAtMillis
        self.pipelineState = pipelineState
        self.format = format
    }

    /// The payload stored by `CheckpointFile` (whose header gives its format).
    public func encoded() -> [UInt8] {
        var writer = CheckpointWriter()
        Self.writeHeader(
            ringPosition: ringPosition, rollupLog: rollupLog, quarantineLog: quarantineLog,
            createdAtMillis: createdAtMillis, to: &writer)
        return writer.bytes + pipelineState
    }

    /// Writes the fields before the pipeline state: a payload is this followed by
    /// `IngestPipeline.writeCheckpointState(to:)`, which a caller can append to the same writer
    /// instead of building an `IngestCheckpoint` (no copy of a state of tens of megabytes).
    public static func writeHeader(
        ringPosition: Int, rollupLog: LogPosition, quarantineLog: LogPosition,
        createdAtMillis: Int64, to writer: inout CheckpointWriter
    ) {
        writer.write(ringPosition)
        for log in [rollupLog, quarantineLog] {
            writer.write(log.nextRotationSequence)
            writer.write(log.currentBytes)
        }
        writer.write(createdAtMillis)
    }

    /// Reads a payload written by `encoded()` in checkpoint format `format` (the header fields
    /// are the same in every format).
    public init(decoding bytes: [UInt8], format: UInt64 = CheckpointFile.version) throws(CheckpointError) {
        self.format = format
        var reader = CheckpointReader(bytes)
        ringPosition = try reader.readInt()
        rollupLog = LogPosition(nextRotationSequence: try reader.readInt(), currentBytes: try reader.readInt64())
        quarantineLog = LogPosition(nextRotationSequence: try reader.readInt(), currentBytes: try reader.readInt64())
        createdAtMillis = try reader.readInt64()
        pipelineState = Array(bytes[reader.offset...])
    }
}
