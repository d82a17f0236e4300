import Foundation
import GRDB
import Telemetry
import Testing

@testable import TelemetryIndex

@Suite("IndexWriter (the index follows the log)")
struct IndexWriterTests {
    static let hour: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z

    /// A gauge per device with a reading every 7 s for `minutes`, as 1-minute rollup lines.
    static func lines(devices: [String], minutes: Int64, from start: Int64 = hour, value: Double = 20) -> [String] {
        devices.flatMap { device in
            var series = ReferenceSeries(park: "p", site: "s", device: device, metric: "t", kind: "gauge", unit: "C")
            series.readings = stride(from: start, to: start + minutes * 60_000, by: 7_000).map { ($0, value + Double($0 % 13)) }
            return series.lines(tierMillis: 60_000)
        }
    }

    /// (device, window start, count) of every partial row in the index.
    static func rows(_ scratch: IndexScratch) throws -> [String] {
        let queue = try DatabaseQueue(path: scratch.indexPath)
        return try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.device, p.start_ms, p.count FROM partial p JOIN series s ON s.id = p.series_id
                    ORDER BY s.device, p.start_ms, p.origin
                    """
            ).map { row in "\(String(decoding: row[0] as Data, as: UTF8.self)) \(row[1] as Int64) \(row[2] as Int64)" }
        }
    }

    static func expectedRows(_ lines: [String]) -> [String] {
        lines.compactMap { RollupRecord(line: Array($0.utf8)) }.map {
            "\(String(decoding: $0.series.device, as: UTF8.self)) \($0.startMillis) \($0.count)"
        }.sorted()
    }

    @Test func everyLineOfARotatingLogIsIndexedOnceAcrossCatchUps() throws {
        let scratch = try IndexScratch()
        let log = try scratch.openLog(maxSegmentBytes: 4_000)
        let first = Self.lines(devices: ["d1", "d2"], minutes: 30)
        let second = Self.lines(devices: ["d1", "d3"], minutes: 20, from: Self.hour + 1_800_000)
        for line in first {
            try log.append(line)
            try log.flush(nowMillis: 1)
        }
        #expect(try scratch.catchUp().records == first.count)
        for line in second {
            try log.append(line)
            try log.flush(nowMillis: 2)
        }
        #expect(try scratch.catchUp().records == second.count)
        #expect(try scratch.catchUp().records == 0)
        #expect(try log.segments.list().count > 3, "the log rotated")
        #expect(try Self.rows(scratch) == Self.expectedRows(first + second))
        try log.close()
    }

    @Test func aLogCutBackByCrashRecoveryIsIndexedAgainFromWhereItDiffers() throws {
        let scratch = try IndexScratch()
        var log = try scratch.openLog(maxSegmentBytes: 4_000)
        let kept = Self.lines(devices: ["d1"], minutes: 25)
        for line in kept { try log.append(line) }
        try log.flush(nowMillis: 1)
        let checkpoint = log.position
        for line in Self.lines(devices: ["lost"], minutes: 25) { try log.append(line) }
        try log.flush(nowMillis: 2)
        try scratch.catchUp()
        try log.close()
        // Recovery cuts the log back to the checkpoint; replay writes other lines after it.
        _ = try log.segments.restore(to: checkpoint)
        log = try scratch.openLog(maxSegmentBytes: 4_000)
        let replayed = Self.lines(devices: ["d2"], minutes: 3)
        for line in replayed { try log.append(line) }
        try log.flush(nowMillis: 3)
        let events = EventBox()
        try scratch.catchUp(events: events)
        #expect(try Self.rows(scratch) == Self.expectedRows(kept + replayed))
        #expect(events.all.contains { $0.message.contains("cut back by crash recovery") })
        try log.close()
    }

    @Test func theThreadFollowsTheLogAndIndexesTheLastLinesWhenStopped() throws {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        let index = try RollupIndex.openForWriting(path: scratch.indexPath, cacheKiB: 1024)
        let writer = IndexWriter(index: index, segments: try scratch.segments(), pollInterval: .milliseconds(5)) { _ in }
        writer.start()
        let lines = Self.lines(devices: ["a", "b", "c"], minutes: 10)
        for line in lines {
            try log.append(line)
            try log.flush(nowMillis: 1)
        }
        writer.stop()
        #expect(writer.progress.records == lines.count)
        #expect(writer.progress.lagBytes == 0)
        try index.close()
        #expect(try Self.rows(scratch) == Self.expectedRows(lines))
        try log.close()
    }

    @Test func linesThatAreNotRollupRecordsAreCountedAndSkipped() throws {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        let lines = Self.lines(devices: ["a"], minutes: 2)
        for line in [lines[0], "{\"torn\":", "not json", lines[1]] { try log.append(line) }
        try log.flush(nowMillis: 1)
        let progress = try scratch.catchUp()
        #expect(progress.records == 2)
        #expect(progress.unreadableLines == 2)
        try log.close()
    }

    @Test func theDocumentedRecordsParseToTheirFields() throws {
        let counter = """
            {"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my","site":"f03","device":"mch-0063","metric":"energy_kwh","kind":"counter","unit":"kWh","count":4,"sum":715118.141,"min":178779.383,"max":178779.689,"mean":178779.53525000002,"m2":0.05298075000397756,"first":{"ts":"2026-11-22T00:16:55.429Z","v":178779.383},"last":{"ts":"2026-11-22T00:16:59.029Z","v":178779.689},"increase":0.3060000000114087,"resets":0,"complete":true}
            """
        let record = try #require(RollupRecord(line: Array(counter.utf8)))
        #expect(record.tierMillis == 10_000)
        #expect(record.startMillis == 1_795_306_610_000)
        #expect(
            record.series
                == SeriesName(
                    park: Array("yen-my".utf8), site: Array("f03".utf8), device: Array("mch-0063".utf8),
                    metric: Array("energy_kwh".utf8)))
        #expect(record.count == 4 && record.sum == 715118.141 && record.min == 178779.383 && record.max == 178779.689)
        #expect(record.m2 == 0.05298075000397756 && record.increase == 0.3060000000114087 && record.resets == 0)
        #expect(record.first == TimedValue(millis: 1_795_306_615_429, value: .number(178779.383)))
        #expect(record.complete)
        let state = """
            {"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my","site":"f03","device":"mch-0063","metric":"machine_state","kind":"state","unit":"","count":4,"state_count":{"running":4},"state_ms":{"running":4571},"first":{"ts":"2026-11-22T00:16:55.429Z","v":"running"},"last":{"ts":"2026-11-22T00:16:59.029Z","v":"running"},"complete":false}
            """
        let parsed = try #require(RollupRecord(line: Array(state.utf8)))
        #expect(parsed.states == [StateTime(name: Array("running".utf8), readings: 4, millis: 4571)])
        #expect(parsed.last?.value == .state(Array("running".utf8)))
        #expect(!parsed.complete && parsed.sum == nil)
    }

    @Test func aStateRecordsMeasuresParseAndOtherKindsAndOlderRecordsHaveNone() throws {
        let state = """
            {"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"p","site":"s","device":"d","metric":"machine_state","kind":"state","unit":"","count":1,"state_count":{"fault":1},"state_ms":{"fault":7000,"running":3000},"transitions":1,"up_ms":3000,"planned_ms":10000,"availability":0.3,"longest_fault_ms":7000,"leading_fault_ms":0,"trailing_fault_ms":7000,"first":{"ts":"2026-11-22T00:16:53.000Z","v":"fault"},"last":{"ts":"2026-11-22T00:16:53.000Z","v":"fault"},"complete":true}
            """
        let record = try #require(RollupRecord(line: Array(state.utf8)))
        #expect(record.transitions == 1 && record.upMillis == 3000 && record.plannedMillis == 10000)
        #expect(record.longestFaultMillis == 7000 && record.leadingFaultMillis == 0 && record.trailingFaultMillis == 7000)
        #expect(record.states.map(\.millis) == [7000, 3000])
        // Nothing planned: availability is null.
        let idle = state.replacingOccurrences(of: "\"availability\":0.3", with: "\"availability\":null")
        #expect(RollupRecord(line: Array(idle.utf8))?.upMillis == 3000)
        let older = try #require(
            RollupRecord(
                line: Array(
                    state.replacingOccurrences(
                        of: ",\"transitions\":1,\"up_ms\":3000,\"planned_ms\":10000,\"availability\":0.3,"
                            + "\"longest_fault_ms\":7000,\"leading_fault_ms\":0,\"trailing_fault_ms\":7000", with: ""
                    ).utf8)))
        #expect(older.transitions == nil && older.upMillis == nil && older.plannedMillis == nil)
        #expect(older.longestFaultMillis == nil && older.leadingFaultMillis == nil && older.trailingFaultMillis == nil)
        #expect(older.states == record.states && older.count == 1)
        // A group of figures out of its bounds is left out, the others kept.
        let damaged = try #require(
            RollupRecord(
                line: Array(
                    state.replacingOccurrences(of: "\"up_ms\":3000", with: "\"up_ms\":10001")
                        .replacingOccurrences(of: "\"leading_fault_ms\":0", with: "\"leading_fault_ms\":-1").utf8)))
        #expect(damaged.upMillis == nil && damaged.plannedMillis == nil && damaged.longestFaultMillis == nil)
        #expect(damaged.transitions == 1 && damaged.count == 1)
        let counter = """
            {"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"p","site":"s","device":"d","metric":"energy_kwh","kind":"counter","unit":"kWh","count":2,"sum":3,"min":1,"max":2,"mean":1.5,"m2":0.5,"first":{"ts":"2026-11-22T00:16:55.000Z","v":1},"last":{"ts":"2026-11-22T00:16:59.000Z","v":2},"increase":1,"resets":0,"rate":0.1,"transitions":3,"complete":true}
            """
        let parsed = try #require(RollupRecord(line: Array(counter.utf8)))
        #expect(parsed.increase == 1 && parsed.resets == 0 && parsed.transitions == nil, "a counter's rate is read past")
    }
}
