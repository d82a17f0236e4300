import Foundation
import Telemetry
import Testing

@testable import TelemetryIndex

/// Query answers against the same figures computed straight from the readings (not from
/// rollups), with the index built from rollup lines of 1 m and 1 h windows.
@Suite("Queries over the index")
struct QueryTests {
    static let start: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z
    static let hours: Int64 = 6

    /// Two sites, three devices, a gauge, a counter with resets and a machine state; readings at
    /// uneven times over six hours.
    static func park() -> [ReferenceSeries] {
        var series: [ReferenceSeries] = []
        for (site, device) in [("f01", "m1"), ("f01", "m2"), ("f02", "m3")] {
            let seed: Int64 = Int64(device.utf8.last ?? 0)
            var gauge = ReferenceSeries(park: "yen-my", site: site, device: device, metric: "power_kw", kind: "gauge", unit: "kW")
            let end: Int64 = start + hours * 3_600_000
            let gaugeFirst: Int64 = start + seed * 97
            let gaugeEvery: Int64 = 13_000 + seed * 11
            var millis = gaugeFirst
            while millis < end {
                gauge.readings.append((millis, Double((millis / 1000) % 97) * 0.5 + Double(seed)))
                millis += gaugeEvery
            }
            var counter = ReferenceSeries(
                park: "yen-my", site: site, device: device, metric: "energy_kwh", kind: "counter", unit: "kWh")
            var total = 1000.0 * Double(seed)
            for (index, millis) in stride(from: start + 500, to: end, by: 30_000).enumerated() {
                total = index % 150 == 149 ? 3 : total + Double(index % 7) * 0.25
                counter.readings.append((millis, total))
            }
            var state = ReferenceSeries(
                park: "yen-my", site: site, device: device, metric: "machine_state", kind: "state", unit: "")
            let cycle = ["running", "idle", "running", "fault"]
            let stateFirst: Int64 = start + seed * 1000
            let stateEvery: Int64 = 170_000 + seed * 1000
            var stateMillis = stateFirst
            while stateMillis < end {
                state.states.append((stateMillis, cycle[state.states.count % 4]))
                stateMillis += stateEvery
            }
            series += [gauge, counter, state]
        }
        return series
    }

    static func indexed(_ series: [ReferenceSeries], cutShort: Set<Int64> = []) throws -> IndexScratch {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        for tier: Int64 in [60_000, 3_600_000] {
            for one in series {
                for line in one.lines(tierMillis: tier, cutShort: tier == 60_000 ? cutShort : []) { try log.append(line) }
            }
        }
        try log.flush(nowMillis: 1)
        try log.close()
        try scratch.catchUp()
        return scratch
    }

    static func range(hours: Int64 = hours) -> [(name: String, value: String)] {
        [("from", ReferenceSeries.time(start)), ("to", ReferenceSeries.time(start + hours * 3_600_000))]
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }

    @Test func gaugesGroupedBySiteAtFiveMinutesEqualTheReadingsOfEachBucket() throws {
        let park = Self.park()
        let scratch = try Self.indexed(park)
        let result = try scratch.query(
            Self.range() + [
                ("metric", "power_kw"), ("step", "5m"), ("group_by", "site"), ("agg", "sum,min,max,mean,stddev,first,last"),
            ],
            nowMillis: Self.start)
        #expect(result.tierMillis == 60_000)
        #expect(result.series.map { String(decoding: $0.group.site ?? [], as: UTF8.self) } == ["f01", "f02"])
        for series in result.series {
            let readings = park.filter { $0.metric == "power_kw" && Array($0.site.utf8) == series.group.site }
                .flatMap(\.readings)
            #expect(series.points.count == Int(Self.hours) * 12)
            for point in series.points {
                let inside = readings.filter { (point.start..<point.end).contains($0.millis) }.sorted { $0.millis < $1.millis }
                let values = inside.map(\.value)
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                #expect(point.merge.count == Int64(values.count))
                #expect(Self.close(point.merge.sum, values.reduce(0, +)))
                #expect(point.merge.min == values.min() && point.merge.max == values.max())
                #expect(Self.close(point.merge.mean, mean))
                #expect(Self.close(point.merge.standardDeviation, variance.squareRoot()))
                #expect(point.merge.first?.millis == inside.first?.millis && point.merge.last?.millis == inside.last?.millis)
                #expect(point.merge.complete)
            }
        }
    }

    @Test func aQueryOfPlainNumbersMergesAsOneThatAlsoAsksForNamedFigures() throws {
        // Without first, last or state time the scan merges `PartialNumbers` alone; with them,
        // whole `PartialMerge`s. Both must give the same numbers, windows cut short included.
        let park = Self.park()
        let scratch = try Self.indexed(park, cutShort: [Self.start + 600_000, Self.start + 1_800_000])
        let numbers = "count,sum,min,max,mean,stddev,increase"
        let plain = try scratch.query(Self.range() + [("step", "10m"), ("agg", numbers)], nowMillis: Self.start)
        let named = try scratch.query(
            Self.range() + [("step", "10m"), ("agg", numbers + ",first,last,state_ms")], nowMillis: Self.start)
        #expect(plain.series.count == 9 && plain.series.allSatisfy { $0.points.count == 36 })
        #expect(plain.series.map(\.points.count) == named.series.map(\.points.count))
        for (one, other) in zip(plain.series, named.series) {
            #expect(one.points.map(\.merge.numbers) == other.points.map(\.merge.numbers))
        }
    }

    @Test func counterIncreaseAcrossResetsPerHourEqualsTheGrowthOfTheReadings() throws {
        let park = Self.park()
        let scratch = try Self.indexed(park)
        let result = try scratch.query(
            Self.range() + [("metric", "energy_kwh"), ("step", "1h"), ("agg", "increase,rate")], nowMillis: Self.start)
        #expect(result.tierMillis == 3_600_000)
        #expect(result.series.count == 3)
        var resets: Int64 = 0
        for series in result.series {
            let reference = try #require(park.first { $0.metric == "energy_kwh" && Array($0.device.utf8) == series.group.device })
            for point in series.points {
                let growth = reference.growth().filter { (point.start..<point.end).contains($0.millis) }
                #expect(Self.close(point.merge.increase, growth.reduce(0) { $0 + $1.growth }))
                #expect(point.merge.resets == Int64(growth.filter(\.reset).count))
                resets += point.merge.resets
                #expect(point.value(of: .rate) == .number((point.merge.increase ?? 0) / 3600))
            }
        }
        #expect(resets == 3 * 4, "every device's counter reset 4 times in six hours")
    }

    @Test func stateShareOverTheParkEqualsTheTimeInEachState() throws {
        let park = Self.park()
        let scratch = try Self.indexed(park)
        let result = try scratch.query(
            Self.range() + [("metric", "machine_state"), ("step", "1h"), ("group_by", "none"), ("agg", "state_ms,state_share")],
            nowMillis: Self.start)
        let series = try #require(result.series.first)
        #expect(result.series.count == 1 && series.points.count == Int(Self.hours))
        for point in series.points {
            var expected: [String: Int64] = [:]
            for one in park where one.kind == "state" {
                expected.merge(one.stateMillis(in: point.start..<point.end), uniquingKeysWith: +)
            }
            let total = Double(expected.values.reduce(0, +))
            #expect(
                point.merge.states.mapValues(\.millis)
                    == Dictionary(uniqueKeysWithValues: expected.map { (Array($0.key.utf8), $0.value) }))
            guard case .perState(let shares) = point.value(of: .stateShare) else {
                Issue.record("no state share")
                continue
            }
            for share in shares {
                #expect(Self.close(share.value, Double(expected[String(decoding: share.name, as: UTF8.self)] ?? 0) / total))
            }
        }
    }

    @Test func daysInHoChiMinhCityStartAtItsMidnightAndMergeHourWindows() throws {
        let park = Self.park()
        let scratch = try Self.indexed(park)
        // 2026-11-30T17:00Z is midnight of 2026-12-01 in Asia/Ho_Chi_Minh (UTC+7).
        let result = try scratch.query(
            [
                ("from", "2026-11-30T17:00:00Z"), ("to", "2026-12-02T17:00:00Z"), ("metric", "power_kw"), ("step", "1d"),
                ("tz", "Asia/Ho_Chi_Minh"), ("group_by", "park"),
            ], nowMillis: Self.start)
        #expect(result.tierMillis == 3_600_000)
        let point = try #require(result.series.first?.points.first)
        #expect(result.series.first?.points.count == 1)
        #expect(point.start == Self.start - 7 * 3_600_000 && point.end == Self.start + 17 * 3_600_000)
        let readings = park.filter { $0.metric == "power_kw" }.flatMap(\.readings)
        #expect(point.merge.count == Int64(readings.count))
        #expect(Self.close(point.merge.mean, readings.map(\.value).reduce(0, +) / Double(readings.count)))
    }

    @Test func aWindowCutShortByARestartMergesWithItsRest() throws {
        let park = Self.park().filter { $0.metric == "power_kw" && $0.device == "m1" }
        let cut = Self.start + 600_000
        let scratch = try Self.indexed(park, cutShort: [cut])
        let result = try scratch.query(
            [("from", ReferenceSeries.time(cut)), ("to", ReferenceSeries.time(cut + 60_000)), ("step", "1m")], nowMillis: cut)
        let point = try #require(result.series.first?.points.first)
        let values = park[0].readings.filter { (cut..<cut + 60_000).contains($0.millis) }.map(\.value)
        #expect(point.merge.count == Int64(values.count) && values.count > 2)
        #expect(Self.close(point.merge.mean, values.reduce(0, +) / Double(values.count)))
        #expect(point.merge.complete)
    }

    @Test func aWindowNeverFinishedMakesItsBucketIncomplete() throws {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        var gauge = ReferenceSeries(park: "p", site: "s", device: "d", metric: "t", kind: "gauge", unit: "C")
        gauge.readings = [(Self.start + 1_000, 1), (Self.start + 2_000, 2)]
        let line = gauge.lines(tierMillis: 60_000)[0].replacingOccurrences(of: "\"complete\":true", with: "\"complete\":false")
        try log.append(line)
        try log.flush(nowMillis: 1)
        try log.close()
        try scratch.catchUp()
        let result = try scratch.query(Self.range(hours: 1) + [("step", "1m")], nowMillis: Self.start)
        #expect(result.series.first?.points.map(\.merge.complete) == [false])
        #expect(
            String(decoding: result.json(), as: UTF8.self).contains(
                "\"count\":2,\"mean\":1.5,\"min\":1.0,\"max\":2.0,\"complete\":false"))
    }

    @Test func aStepNoStoredTierDividesIsRefusedNamingTheStep() throws {
        let scratch = try Self.indexed(Self.park())
        #expect {
            try scratch.query(Self.range() + [("step", "90s")], nowMillis: Self.start)
        } throws: { error in
            (error as? QueryError).map { $0.kind == .badRequest && $0.parameter == "step" && $0.message.contains("1m, 1h") }
                ?? false
        }
    }

    @Test func aQueryOverThePointLimitIsRefusedWithBothFigures() throws {
        let scratch = try Self.indexed(Self.park())
        #expect {
            try scratch.query(Self.range() + [("step", "1m")], nowMillis: Self.start, limits: QueryLimits(maxPoints: 1_000))
        } throws: { error in
            (error as? QueryError).map { $0.kind == .badRequest && $0.message.contains("360 buckets × 9 series") } ?? false
        }
    }
}
