import Foundation
import Synchronization
import Telemetry

/// The per-device totals of the last checkpoint in a data directory, for `gateway serve`'s
/// `/api/v1/devices`. The file is read again only when it changed (another inode, size or
/// modification time: every checkpoint is a new file renamed over the old), so requests between
/// two checkpoints do not each read a file of up to tens of megabytes.
final class CheckpointTotals: Sendable {
    private let recovery: IngestRecovery
    private let cache = Mutex<(file: FileIdentity?, counts: DeviceCounts?)?>(nil)

    /// Reads `<dataDirectory>/checkpoint` (or `checkpoint.previous` when it is damaged).
    init(dataDirectory: String) {
        recovery = IngestRecovery(dataDirectory: dataDirectory)
    }

    /// Which file a path names, and whether it was rewritten in place.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: UInt64
        var modified: Date
    }

    /// The counts of the newest readable checkpoint, taken when it was; nil when there is none
    /// or it cannot be read (a newer format, damaged with no readable previous one). Blocks
    /// while it reads the file.
    func deviceCounts() -> DeviceCounts? {
        let file = Self.identity(of: recovery.checkpointPath)
        // Held while reading, so that concurrent requests after a new checkpoint read it once.
        return cache.withLock { cache in
            if let cache, cache.file == file { return cache.counts }
            let counts = Self.read(recovery)
            cache = (file, counts)
            return counts
        }
    }

    private static func read(_ recovery: IngestRecovery) -> DeviceCounts? {
        guard let checkpoint = (try? recovery.loadCheckpoint())?.checkpoint,
            let stats = try? IngestPipeline.stats(inState: checkpoint.pipelineState, format: checkpoint.format)
        else { return nil }
        return DeviceCounts(stats, takenAtMillis: checkpoint.createdAtMillis)
    }

    private static func identity(of path: String) -> FileIdentity? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let device = (attributes[.systemNumber] as? NSNumber)?.uint64Value,
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
            let size = (attributes[.size] as? NSNumber)?.uint64Value,
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return FileIdentity(device: device, inode: inode, size: size, modified: modified)
    }
}
