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

    @Test func anIndexFromBeforeTheStateMeasuresIsRebuiltFromTheLogWithThem() throws {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        let machine = StateTimeline(
            site: "s", device: "d", readings: [(0, "running"), (20, "fault")], endSecond: 60, minutes: [0])
        for line in machine.lines() { try log.append(line) }
        try log.flush(nowMillis: 1)
        try log.close()
        // An index of schema version 2, which had no column for the measures, said to hold the log.
        let old = try DatabaseQueue(path: scratch.indexPath)
        try old.write { db in
            try IndexSchema.create(db)
            try db.execute(
                sql: """
                    ALTER TABLE partial DROP COLUMN trailing_fault_ms;
                    INSERT INTO log_position VALUES (1, 1, 1 << 40, 0, 0, 0, 0);
                    PRAGMA user_version = 2
                    """)
        }
        try old.close()
        #expect(IndexSchema.version > 2)
        #expect(try scratch.catchUp().records == 1)
        let result = try scratch.query(
            [
                ("from", ReferenceSeries.time(StateTimeline.start)),
                ("to", ReferenceSeries.time(StateTimeline.start + StateTimeline.window)), ("step", "1m"),
                ("agg", "transitions,availability,longest_fault_ms"),
            ], nowMillis: StateTimeline.start)
        let point = try #require(result.series.first?.points.first)
        #expect(point.value(of: .transitions) == .integer(1))
        #expect(point.value(of: .availability) == .number(20_000.0 / 60_000.0))
        #expect(point.value(of: .longestFaultMs) == .integer(40_000))
    }
}
