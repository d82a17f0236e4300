import GRDB
import Testing

@testable import TelemetryIndex

struct IndexSchemaTests {
    @Test func aNewIndexHasItsTablesAndTheSchemaVersion() throws {
        let queue = try DatabaseQueue()
        let (tables, version) = try queue.write { db in
            try IndexSchema.create(db)
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            return (names, try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(tables == ["log_position", "partial", "series", "series_readings", "tier"])
        #expect(version == IndexSchema.version)
    }

    @Test func anIndexOfAnotherSchemaVersionIsStartedAgainEmpty() throws {
        let scratch = try IndexScratch()
        let old = try DatabaseQueue(path: scratch.indexPath)
        try old.write { db in
            try db.execute(sql: "CREATE TABLE partial (x INTEGER); INSERT INTO partial VALUES (1); PRAGMA user_version = 999")
        }
        try old.close()
        let index = try RollupIndex.openForWriting(path: scratch.indexPath, cacheKiB: 256)
        #expect(try index.position() == nil)
        #expect(try index.tiers() == [])
        try index.close()
        #expect(throws: IndexError.self) { try RollupIndex.openForReading(path: scratch.path + "/absent.sqlite", cacheKiB: 256) }
    }
}
