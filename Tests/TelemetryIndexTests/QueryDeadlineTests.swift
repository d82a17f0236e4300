import GRDB
import Telemetry
import Testing

@testable import TelemetryIndex

struct QueryDeadlineTests {
    /// A statement that runs for seconds in one step of SQLite: 50 million rows of a recursive
    /// count, so only the progress handler can end it early.
    static let longScan = """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)
        SELECT COUNT(*) FROM n
        """

    @Test func aStatementStillRunningAtTheDeadlineIsInterruptedInsideSQLite() throws {
        let queue = try DatabaseQueue()
        let deadline = QueryDeadline(ContinuousClock.now.advanced(by: .milliseconds(20)))
        let began = ContinuousClock.now
        var caught: (any Error)?
        do {
            _ = try queue.read { db in try deadline.enforce(on: db) { try Int.fetchOne(db, sql: Self.longScan) } }
        } catch {
            caught = error
        }
        #expect(caught.map(QueryDeadline.interrupted) == true)
        #expect(ContinuousClock.now - began < .seconds(2))
    }

    @Test func theHandlerIsRemovedSoTheConnectionsNextReaderRunsToTheEnd() throws {
        let queue = try DatabaseQueue()
        let expired = QueryDeadline(ContinuousClock.now)
        #expect(throws: DatabaseError.self) {
            try queue.read { db in try expired.enforce(on: db) { try Int.fetchOne(db, sql: Self.longScan) } }
        }
        let count = try queue.read { db in
            try Int.fetchOne(
                db, sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT COUNT(*) FROM n"
            )
        }
        #expect(count == 100_000)
    }

    @Test func aQueryPastItsTimeoutIsATimeoutNotAFailure() throws {
        let scratch = try IndexScratch()
        let index = try RollupIndex.openForWriting(path: scratch.indexPath, cacheKiB: 256)
        var appender = try IndexAppender(index: index)
        let name = SeriesName(park: Array("p".utf8), site: Array("s".utf8), device: Array("d".utf8), metric: Array("m".utf8))
        let records = (0..<1_000).map { window in
            (
                origin: LogCursor(segment: 1, offset: Int64(window) * 100),
                record: RollupRecord(
                    startMillis: Int64(window) * 60_000, endMillis: Int64(window + 1) * 60_000, series: name, kind: "gauge",
                    unit: "", count: 1, sum: 1, min: 1, max: 1, m2: 0, complete: true)
            )
        }
        try appender.append(records, end: LogCursor(segment: 1, offset: 100_000), lastLine: nil)
        let request = QueryRequest(fromMillis: 0, toMillis: 60_000_000, step: .fixed(millis: 60_000))
        #expect(try index.query(request).series.first?.points.count == 1_000)
        #expect {
            try index.query(request, limits: QueryLimits(timeout: .zero))
        } throws: { ($0 as? QueryError)?.kind == .timedOut }
        // A query that waited 2 s for a thread has no time left of a 1 s timeout.
        let arrival = ContinuousClock.now.advanced(by: .seconds(-2))
        #expect {
            try index.query(request, limits: QueryLimits(timeout: .seconds(1)), arrival: arrival)
        } throws: { ($0 as? QueryError)?.kind == .timedOut }
        #expect(try index.query(request, limits: QueryLimits(timeout: .seconds(10)), arrival: arrival).series.count == 1)
        try index.close()
    }
}
