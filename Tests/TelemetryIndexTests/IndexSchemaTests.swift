import GRDB
import Testing

@testable import TelemetryIndex

struct IndexSchemaTests {
    @Test func aNewIndexHasTheThreeTablesAndTheSchemaVersion() throws {
        let queue = try DatabaseQueue()
        let (tables, version) = try queue.write { db in
            try IndexSchema.create(db)
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            return (names, try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(tables == ["log_position", "partial", "series"])
        #expect(version == IndexSchema.version)
    }
}
