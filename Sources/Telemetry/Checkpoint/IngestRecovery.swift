// The recovery sequence of a data directory (docs/crash-consistency.md, piece 4), shared by the
// engine (Engine/CrashRecovery.swift, which reports each repair) and the
// simulated power-cut test (Tests/TelemetryTests/PowerCut), so that the test exercises the
// sequence the gateway runs. Nothing here logs: each step returns what it repaired.
//
// Order, as the gateway runs it: `openRing` → `loadCheckpoint` → `restoreLogs` → open the logs
// for writing and build the pipeline → `restorePipeline` → store a checkpoint at once (before
// the first new message) → replay the ring by consuming it as usual.

/// Brings a data directory back to its last durable checkpoint after a crash or a power cut, so
/// that replaying the write-ahead ring reflects every message exactly once.
public struct IngestRecovery: Sendable {
    /// The data directory: `ingest.ring`, `checkpoint` (and `checkpoint.previous`), `rollups/`,
    /// `quarantine/`.
    public let dataDirectory: String
    /// Where the files are (the real file system unless a test simulates power cuts).
    public let fileSystem: any FileSystem

    /// The logs a data directory holds, each in the directory of its name, with that base name.
    public static let logNames = ["rollups", "quarantine"]

    /// Recovers `dataDirectory` on `fileSystem`; touches no file until a step is called.
    public init(dataDirectory: String, fileSystem: any FileSystem = PosixFileSystem()) {
        self.dataDirectory = dataDirectory
        self.fileSystem = fileSystem
    }

    /// `<data>/checkpoint`.
    public var checkpointPath: String { dataDirectory + "/checkpoint" }
    /// `<data>/ingest.ring`.
    public var ringPath: String { dataDirectory + "/ingest.ring" }

    /// The segments of log `name` (one of `logNames`): `<data>/<name>/<name>.jsonl` and its
    /// rotated segments.
    public func log(_ name: String) throws(LogError) -> LogSegments {
        try LogSegments(directory: dataDirectory + "/" + name, baseName: name, fileSystem: fileSystem)
    }

    /// Step 1: opens the write-ahead ring, dropping records torn by a power cut
    /// (`tornBytesDiscarded` says how many bytes).
    public func openRing(capacityBytes: Int, sync: MessageRing.SyncMode) throws(MessageRing.FileError) -> MessageRing {
        try MessageRing.openFile(atPath: ringPath, capacityBytes: capacityBytes, sync: sync, fileSystem: fileSystem)
    }

    /// A checkpoint found by `loadCheckpoint`.
    public struct LoadedCheckpoint: Sendable, Equatable {
        /// The checkpoint.
        public var checkpoint: IngestCheckpoint
        /// The file it was read from: `checkpoint`, or `checkpoint.previous` when the newest is damaged.
        public var path: String
        /// Why the newest checkpoint was not used, when `path` is the previous one.
        public var newestError: CheckpointError?
    }

    /// Step 2a: the newest checkpoint, or the one before it when the newest is damaged; nil when
    /// there is none. Throws when the newest cannot be read (other than not existing) or is
    /// damaged with no readable previous one.
    public func loadCheckpoint() throws(CheckpointError) -> LoadedCheckpoint? {
        do throws(CheckpointError) {
            guard let stored = try CheckpointFile.load(from: checkpointPath, fileSystem: fileSystem) else { return nil }
            return LoadedCheckpoint(
                checkpoint: try IngestCheckpoint(decoding: stored.payload, format: stored.version), path: checkpointPath,
                newestError: nil)
        } catch {
            if case .file = error { throw error }
            let previousPath = CheckpointFile.previousPath(of: checkpointPath)
            guard let stored = try CheckpointFile.load(from: previousPath, fileSystem: fileSystem) else { throw error }
            return LoadedCheckpoint(
                checkpoint: try IngestCheckpoint(decoding: stored.payload, format: stored.version), path: previousPath,
                newestError: error)
        }
    }

    /// Step 2b, before the logs are opened for writing: cuts each log back to where `checkpoint`
    /// says it ended. Returns what was cut (or found missing), by log name, in `logNames` order.
    public func restoreLogs(
        to checkpoint: IngestCheckpoint
    ) throws(LogError) -> [(name: String, outcome: LogSegments.RestoreOutcome)] {
        var outcomes: [(name: String, outcome: LogSegments.RestoreOutcome)] = []
        for (name, position) in zip(Self.logNames, [checkpoint.rollupLog, checkpoint.quarantineLog]) {
            outcomes.append((name, try log(name).restore(to: position)))
        }
        return outcomes
    }

    /// How `restorePipeline` positioned the ring.
    public enum RingOutcome: Sendable, Equatable {
        /// No checkpoint: the pipeline starts fresh and replays whatever the ring holds.
        case noCheckpoint
        /// The ring resumes at the checkpoint's position.
        case resumed
        /// The checkpoint is older than the ring's free position (its file did not reach the
        /// disk, or an older copy was used) and the records in between were intact: the ring was
        /// rewound to it and they are replayed.
        case rewound(checkpointPosition: Int, freedPosition: Int)
        /// As `rewound`, but some of those records are overwritten: their readings are lost; the
        /// ring resumes at its free position.
        case overwritten(checkpointPosition: Int, freedPosition: Int)
        /// The checkpoint covers records the ring no longer holds intact (torn by a power cut
        /// after the checkpoint was stored): the ring resumes after its last intact record,
        /// `intactEnd`.
        case torn(checkpointPosition: Int, intactEnd: Int)
    }

    /// Step 3: restores the pipeline's state from `checkpoint` and positions the ring at the
    /// first record the checkpoint does not reflect. Throws when the state does not decode (the
    /// pipeline is then left as it was).
    public func restorePipeline(
        _ checkpoint: IngestCheckpoint?, pipeline: IngestPipeline, ring: MessageRing
    ) throws(CheckpointError) -> RingOutcome {
        guard let checkpoint else { return .noCheckpoint }
        try pipeline.restoreState(checkpoint.pipelineState, format: checkpoint.format)
        let freed = ring.consumedPosition
        if checkpoint.ringPosition < freed {
            return ring.rewind(to: checkpoint.ringPosition)
                ? .rewound(checkpointPosition: checkpoint.ringPosition, freedPosition: freed)
                : .overwritten(checkpointPosition: checkpoint.ringPosition, freedPosition: freed)
        }
        if !ring.skip(through: checkpoint.ringPosition) {
            return .torn(checkpointPosition: checkpoint.ringPosition, intactEnd: ring.consumedPosition)
        }
        return .resumed
    }
}
