import ArgumentParser
import Foundation
import Telemetry
import TelemetryIndex

/// `gateway reindex`: rebuilds the query index from the rollup log alone.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the query index from the rollup log.",
        discussion: """
            Deletes the index file and indexes every rollup line of every segment again, then applies \
            rollup.retention. The gateway must not be running on the same data directory (its own index \
            thread keeps the index up to date; this is for a lost, damaged or outdated index).
            """
    )

    @OptionGroup var options: DataDirectoryOptions

    func run() throws {
        let (dataDirectory, query, rollup) = try options.resolve()
        if let holder = Self.runningGateway(dataDirectory: dataDirectory) {
            throw ValidationError(holder)
        }
        let path = query.indexPath(dataDirectory: dataDirectory)
        for suffix in ["", "-wal", "-shm"] where unlink(path + suffix) != 0 && errno != ENOENT {
            throw ValidationError("cannot delete \(path + suffix): \(String(cString: strerror(errno)))")
        }
        let started = ContinuousClock.now
        let index = try RollupIndex.openForWriting(path: path, cacheKiB: Int(query.cacheBytes >> 10))
        defer { try? index.close() }
        let segments = try LogSegments(directory: dataDirectory + "/rollups", baseName: "rollups")
        let writer = IndexWriter(
            index: index, segments: segments, retention: IndexWriter.Retention(keepMillis: rollup.retentionMillis)
        ) { event in
            FileHandle.standardError.write(Data((event.message + "\n").utf8))
        }
        let progress = try writer.catchUp(nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
        let seconds = (ContinuousClock.now - started).inSeconds
        let rate = seconds > 0 ? Int(Double(progress.records) / seconds) : 0
        print(
            "indexed \(progress.records) rollup records into \(path) in \(String(format: "%.1f", seconds)) s "
                + "(\(rate) records/s); \(progress.unreadableLines) lines skipped as not rollup records, "
                + "\(progress.unreadableSketches) records indexed without their unreadable sketch, "
                + "\(progress.expiredRows) rows past rollup.retention removed")
    }

    /// A sentence when a gateway holds the data directory's ring lock, nil otherwise.
    static func runningGateway(dataDirectory: String) -> String? {
        let ring = dataDirectory + "/ingest.ring"
        let descriptor = open(ring, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) != 0 else {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return "a gateway is running on \(dataDirectory) (it holds \(ring)); stop it first: its own index "
            + "thread keeps the query index up to date"
    }
}
