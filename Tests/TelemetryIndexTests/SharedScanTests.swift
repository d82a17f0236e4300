import Foundation
import Synchronization
import Telemetry
import Testing

@testable import TelemetryIndex

/// A query over many series scans half of them on a helper thread: the answer must be the one
/// the readings give, whichever thread scanned which half; and the hand-over itself must run
/// each share exactly once.
@Suite("Scans shared with a helper")
struct SharedScanTests {
    /// Three sites of 40 devices, one gauge each: 120 series, over the helper threshold.
    static func park() -> [ReferenceSeries] {
        var series: [ReferenceSeries] = []
        for site in ["f01", "f02", "f03"] {
            for machine in 1...40 {
                var gauge = ReferenceSeries(
                    park: "yen-my", site: site, device: "\(site)-m\(machine)", metric: "power_kw", kind: "gauge", unit: "kW")
                let every = Int64(240_000 + machine * 7_001)
                var millis = QueryTests.start + Int64(machine) * 1_000
                while millis < QueryTests.start + QueryTests.hours * 3_600_000 {
                    gauge.readings.append((millis, Double((millis / 1_000 + Int64(machine) * 13) % 101) * 0.25))
                    millis += every
                }
                series.append(gauge)
            }
        }
        return series
    }

    @Test func aSiteQueryOverMoreSeriesThanTheThresholdEqualsTheReadings() throws {
        let park = Self.park()
        #expect(park.count / 3 >= RollupIndex.sharedScanMinimumSeries / 2)
        let scratch = try QueryTests.indexed(park)
        for aggregates in ["count,sum,min,max", "count,sum,min,max,first,last"] {
            let result = try scratch.query(
                QueryTests.range() + [("step", "1h"), ("agg", aggregates), ("group_by", "park")],
                nowMillis: QueryTests.start)
            let points = try #require(result.series.first?.points)
            #expect(result.series.count == 1 && points.count == Int(QueryTests.hours))
            let readings = park.flatMap(\.readings)
            for point in points {
                let inside = readings.filter { (point.start..<point.end).contains($0.millis) }
                #expect(point.merge.count == Int64(inside.count))
                #expect(QueryTests.close(point.merge.sum, inside.reduce(0) { $0 + $1.value }))
                #expect(point.merge.min == inside.map(\.value).min() && point.merge.max == inside.map(\.value).max())
                if aggregates.hasSuffix("last") {
                    #expect(point.merge.first?.millis == inside.map(\.millis).min())
                    #expect(point.merge.last?.millis == inside.map(\.millis).max())
                }
            }
            let bySite = try scratch.query(
                QueryTests.range() + [("step", "1h"), ("agg", aggregates), ("group_by", "site")],
                nowMillis: QueryTests.start)
            #expect(bySite.series.count == 3)
            for series in bySite.series {
                let site = String(decoding: series.group.site ?? [], as: UTF8.self)
                let counted = park.filter { $0.site == site }.reduce(0) { $0 + $1.readings.count }
                #expect(series.points.reduce(0) { $0 + $1.merge.count } == Int64(counted))
            }
        }
    }

    @Test func aHelperScansHalfOfALargeQuery() throws {
        let scratch = try QueryTests.indexed(Self.park())
        let before = ScanHelpers.shared.sharesScanned
        // A helper wakes in microseconds and the query's own half takes longer, but a loaded
        // machine may let the query take its share back: a few tries are allowed.
        for _ in 1...20 where ScanHelpers.shared.sharesScanned == before {
            _ = try scratch.query(
                QueryTests.range() + [("step", "1h"), ("agg", "count")], nowMillis: QueryTests.start)
        }
        #expect(ScanHelpers.shared.sharesScanned > before)
    }

    @Test func theLogPositionMovesWithEveryWriteOfTheWriter() throws {
        let scratch = try QueryTests.indexed(Array(Self.park().prefix(2)))
        let before = try RollupIndex.openForReading(path: scratch.indexPath, cacheKiB: 256)
        let first = try before.attemptRead("read") { try RollupIndex.writePosition($0) }
        try before.close()
        #expect(first.count == 4)

        let log = try scratch.openLog()
        for line in Self.park()[5].lines(tierMillis: 60_000) { try log.append(line) }
        try log.flush(nowMillis: 1)
        try log.close()
        try scratch.catchUp()
        let after = try RollupIndex.openForReading(path: scratch.indexPath, cacheKiB: 256)
        defer { try? after.close() }
        #expect(try after.attemptRead("read") { try RollupIndex.writePosition($0) } != first)
    }

    @Test func aShareTakenBackBeforeAHelperStartsIsNeverRun() throws {
        let runs = Mutex(0)
        let share = ScanShare<Int> {
            runs.withLock { $0 += 1 }
            return 7
        }
        #expect(share.takeBack())
        share.runIfOffered()
        #expect(!share.takeBack())
        #expect(runs.withLock { $0 } == 0)
    }

    @Test func aShareAHelperStartedGivesItsResultOrItsError() throws {
        let share = ScanShare<Int> { 7 }
        share.runIfOffered()
        #expect(!share.takeBack())
        #expect(try share.result() == 7)

        struct Failure: Error {}
        let failing = ScanShare<Int> { throw Failure() }
        #expect(failing.runIfOffered())
        #expect(!failing.takeBack())
        #expect(throws: Failure.self) { try failing.result() }
    }
}
