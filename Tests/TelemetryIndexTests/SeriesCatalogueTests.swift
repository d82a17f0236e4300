import GRDB
import Telemetry
import Testing

@testable import TelemetryIndex

struct SeriesCatalogueTests {
    static func record(device: String, start: Int64) -> RollupRecord {
        RollupRecord(
            startMillis: start, endMillis: start + 60_000,
            series: SeriesName(park: Array("p".utf8), site: Array("s".utf8), device: Array(device.utf8), metric: Array("m".utf8)),
            kind: "gauge", unit: "", count: 1, sum: 1, min: 1, max: 1, m2: 0, complete: true)
    }

    static func append(_ devices: [String], to index: RollupIndex, line: inout Int64) throws {
        var appender = try IndexAppender(index: index)
        let records = devices.map { device in
            line += 1
            return (origin: LogCursor(segment: 1, offset: line * 100), record: record(device: device, start: 0))
        }
        try appender.append(records, end: LogCursor(segment: 1, offset: (line + 1) * 100), lastLine: nil)
    }

    static func devices(_ index: RollupIndex) throws -> [String] {
        try index.series().map { String(decoding: $0.name.device, as: UTF8.self) }
    }

    @Test func aReaderSeesSeriesAddedAfterItFirstLooked() throws {
        let scratch = try IndexScratch()
        let writer = try RollupIndex.openForWriting(path: scratch.indexPath, cacheKiB: 256)
        let reader = try RollupIndex.openForReading(path: scratch.indexPath, cacheKiB: 256)
        var line: Int64 = 0
        try Self.append(["d2", "d1"], to: writer, line: &line)
        #expect(try Self.devices(reader) == ["d1", "d2"])
        try Self.append(["d0"], to: writer, line: &line)
        #expect(try Self.devices(reader) == ["d0", "d1", "d2"])
        let request = QueryRequest(fromMillis: 0, toMillis: 60_000, step: .fixed(millis: 60_000), groupBy: .none)
        #expect(try reader.query(request).series.first?.points.first?.merge.count == 3)
        try reader.close()
        try writer.close()
    }

    @Test func anIndexRebuiltUnderAReaderIsReadAfreshNotMixedWithTheOldNames() throws {
        let scratch = try IndexScratch()
        let writer = try RollupIndex.openForWriting(path: scratch.indexPath, cacheKiB: 256)
        let reader = try RollupIndex.openForReading(path: scratch.indexPath, cacheKiB: 256)
        var line: Int64 = 0
        try Self.append(["a1", "a2"], to: writer, line: &line)
        #expect(try Self.devices(reader) == ["a1", "a2"])
        // As a rebuild does: the same ids (1, 2, 3) now name other series.
        try writer.attempt("empty") { db in
            try db.execute(sql: "DELETE FROM partial; DELETE FROM series_readings; DELETE FROM series")
        }
        try Self.append(["b1", "b2", "b3"], to: writer, line: &line)
        #expect(try Self.devices(reader) == ["b1", "b2", "b3"])
        try reader.close()
        try writer.close()
    }
}
