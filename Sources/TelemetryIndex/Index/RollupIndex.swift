import Foundation
import GRDB
import Telemetry

/// The query index: a SQLite database (WAL mode, through GRDB) derived from the rollup log.
/// One process writes it (`IndexWriter`, off the ingest path); any number read it, also from
/// other processes (`gateway query`, `gateway serve`). Its memory is bounded by SQLite's page
/// cache (`cacheKiB` per connection), whatever the size of the file.
public final class RollupIndex: Sendable {
    /// The database file.
    public let path: String
    let database: DatabasePool
    /// The series table in memory, for choosing a query's series.
    let catalogue = SeriesCatalogue()

    private init(path: String, database: DatabasePool) {
        self.path = path
        self.database = database
    }

    /// Opens the index for writing, creating it if absent. An index of another schema version
    /// is deleted and created again empty: it is rebuilt from the log.
    public static func openForWriting(path: String, cacheKiB: Int) throws(IndexError) -> RollupIndex {
        let index = try open(path: path, cacheKiB: cacheKiB, readOnly: false)
        let version = try index.attempt("read the schema version") { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        if version == IndexSchema.version { return index }
        if version != 0 {
            try index.close()
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            return try openForWriting(path: path, cacheKiB: cacheKiB)
        }
        try index.attempt("create the tables") { db in try IndexSchema.create(db) }
        return index
    }

    /// Opens an existing index for reading.
    public static func openForReading(path: String, cacheKiB: Int) throws(IndexError) -> RollupIndex {
        guard FileManager.default.fileExists(atPath: path) else {
            throw IndexError(
                path: path, operation: "open", reason: "no index here yet: a running gateway creates it, or `gateway reindex`")
        }
        let index = try open(path: path, cacheKiB: cacheKiB, readOnly: true)
        let version = try index.attempt("read the schema version") { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        guard version == IndexSchema.version else {
            throw IndexError(
                path: path, operation: "open",
                reason: "schema version \(version), this gateway reads \(IndexSchema.version): run `gateway reindex`")
        }
        return index
    }

    private static func open(path: String, cacheKiB: Int, readOnly: Bool) throws(IndexError) -> RollupIndex {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "query-index"
        configuration.busyMode = .timeout(5)
        // One reader for each API query thread (4) and each scan helper (2), so that a helper
        // never waits for a connection; each has its own page cache of `cacheKiB`.
        configuration.maximumReaderCount = 6
        configuration.prepareDatabase { db in
            // A negative cache_size is in KiB.
            try db.execute(sql: "PRAGMA cache_size = -\(max(64, cacheKiB))")
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        do {
            return RollupIndex(path: path, database: try DatabasePool(path: path, configuration: configuration))
        } catch {
            throw IndexError(path: path, operation: readOnly ? "open for reading" : "open for writing", reason: "\(error)")
        }
    }

    /// Closes the connections; the index must not be used afterwards.
    public func close() throws(IndexError) {
        do { try database.close() } catch { throw IndexError(path: path, operation: "close", reason: "\(error)") }
    }

    /// How far into the log the index reaches; nil for an empty index.
    public func position() throws(IndexError) -> IndexPosition? {
        try attemptRead("read the log position") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT segment, offset, last_line_segment, last_line_offset, last_line_length, last_line_checksum
                        FROM log_position WHERE id = 1
                        """)
            else { return nil }
            return IndexPosition(
                end: LogCursor(segment: row[0], offset: row[1]), lastLine: LogCursor(segment: row[2], offset: row[3]),
                lastLineLength: row[4], lastLineChecksum: UInt32(truncatingIfNeeded: row[5] as Int64))
        }
    }

    /// The window lengths (ms) of the records indexed, ascending.
    public func tiers() throws(IndexError) -> [Int64] {
        try attemptRead("read the tiers") { db in try Int64.fetchAll(db, sql: "SELECT ms FROM tier ORDER BY ms") }
    }

    /// Runs `body` in a write transaction, turning GRDB's errors into an `IndexError`.
    func attempt<T>(_ operation: String, _ body: (Database) throws -> T) throws(IndexError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw IndexError(path: path, operation: operation, reason: "\(error)")
        }
    }

    /// Runs `body` on a reader connection (a consistent snapshot), turning errors into an `IndexError`.
    func attemptRead<T>(_ operation: String, _ body: (Database) throws -> T) throws(IndexError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw IndexError(path: path, operation: operation, reason: "\(error)")
        }
    }
}
