import Foundation
import Synchronization
import Telemetry
import TelemetryIndex

/// A temporary directory holding a rollup log (`rollups/`) and an index file, removed at the end.
final class IndexScratch {
    let path: String
    var logDirectory: String { path + "/rollups" }
    var indexPath: String { path + "/index.sqlite" }

    init() throws {
        var template = Array((NSTemporaryDirectory() + "query-index-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func openLog(maxSegmentBytes: Int64 = 1 << 40) throws -> SegmentedLog {
        try SegmentedLog(
            directory: logDirectory, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: maxSegmentBytes, maxSegmentAgeMillis: 1 << 40, fsync: .never), nowMillis: 0)
    }

    func segments() throws -> LogSegments { try LogSegments(directory: logDirectory, baseName: "rollups") }

    /// Indexes the whole log now, as `gateway reindex` does; returns the writer's progress.
    @discardableResult
    func catchUp(events: EventBox = EventBox()) throws -> IndexWriter.Progress {
        let index = try RollupIndex.openForWriting(path: indexPath, cacheKiB: 1024)
        defer { try? index.close() }
        let writer = IndexWriter(index: index, segments: try segments()) { event in events.append(event) }
        return try writer.catchUp()
    }

    func query(
        _ parameters: [(name: String, value: String)], nowMillis: Int64, limits: QueryLimits = QueryLimits()
    ) throws
        -> QueryResult
    {
        let index = try RollupIndex.openForReading(path: indexPath, cacheKiB: 1024)
        defer { try? index.close() }
        return try index.query(QueryRequest.parse(parameters, nowMillis: nowMillis), limits: limits)
    }
}

/// Events a writer reported, collected across threads.
final class EventBox: Sendable {
    private let events = Mutex<[EngineEvent]>([])
    func append(_ event: EngineEvent) { events.withLock { $0.append(event) } }
    var all: [EngineEvent] { events.withLock { $0 } }
}
