import Foundation
import Telemetry
import Testing

@testable import TelemetryIndex

/// `transitions`, `availability` and `longest_fault_ms` over state records written from
/// explicit intervals: each bucket's answer against the intervals themselves (fault runs
/// joined across adjacent windows, not across a gap, not across machines), with a window
/// written in two records, records from before the measures, and a gauge.
@Suite("State measures over the index")
struct StateMeasuresQueryTests {
    static let aggregates = "transitions,availability,longest_fault_ms"

    /// d1: faults across four windows (150–310 s), two in one window joined with the next
    /// (400–465 s), a fault across the 10-minute edge (570–640 s), a fault on both sides of a
    /// gap (minute 12 not written: 690–830 s), and minute 15 written in two records cut at
    /// 930 s inside a fault (910–1000 s). d2, same site: a longer fault (100–290 s), and minute
    /// 12 written without the measures. d3, another site: only records without them.
    static let machines = [
        StateTimeline(
            site: "s", device: "d1",
            readings: [
                (0, "running"), (150, "fault"), (200, "fault"), (310, "idle"), (360, "fault"), (380, "running"),
                (400, "fault"), (465, "off"), (470, "running"), (570, "fault"), (640, "running"), (690, "fault"),
                (830, "running"), (910, "fault"), (960, "fault"), (1000, "running"),
            ],
            endSecond: 1200, minutes: Array(0..<12) + Array(13..<20), cuts: [15: 930]),
        StateTimeline(
            site: "s", device: "d2",
            readings: [
                (0, "idle"), (100, "fault"), (290, "running"), (500, "off"), (540, "running"), (660, "fault"),
                (700, "running"), (750, "idle"),
            ],
            endSecond: 900, minutes: Array(0..<15), unmeasured: [12]),
        StateTimeline(
            site: "t", device: "d3", readings: [(0, "running"), (200, "idle")], endSecond: 600, minutes: Array(0..<10),
            unmeasured: Set(0..<10)),
    ]

    static func indexed() throws -> IndexScratch {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        for machine in machines {
            for line in machine.lines() { try log.append(line) }
        }
        try log.append(try QuantileQueryTests.gaugeLine(device: "d1", window: 0, values: [1, 2, 3]))
        try log.flush(nowMillis: 1)
        try log.close()
        let progress = try scratch.catchUp()
        #expect(progress.records == 19 + 1 + 15 + 10 + 1 && progress.unreadableLines == 0)
        return scratch
    }

    static func query(
        _ scratch: IndexScratch, step: String, groupBy: String = "device", aggregates: String = aggregates
    ) throws -> QueryResult {
        try scratch.query(
            [
                ("from", ReferenceSeries.time(StateTimeline.start)),
                ("to", ReferenceSeries.time(StateTimeline.start + 20 * StateTimeline.window)), ("metric", "machine_state"),
                ("step", step), ("group_by", groupBy), ("agg", aggregates),
            ], nowMillis: StateTimeline.start)
    }

    /// The three figures of `point`.
    static func figures(_ point: QueryResult.Point) -> [QueryResult.Point.Value] {
        [point.value(of: .transitions), point.value(of: .availability), point.value(of: .longestFaultMs)]
    }

    /// The three figures `machines` should give over `bucket`, as a group: transitions summed,
    /// up over planned time summed, the longest of any one machine's runs.
    static func expected(_ machines: [StateTimeline], in bucket: Range<Int64>) -> [QueryResult.Point.Value] {
        let members = machines.filter { !$0.pieces(in: bucket).isEmpty }
        let transitions = members.compactMap { $0.expectedTransitions(in: bucket) }
        let times = members.map { $0.expectedTimes(in: bucket) }
        let runs = members.map { $0.expectedLongestFault(in: bucket) }
        var availability = QueryResult.Point.Value.absent
        if times.allSatisfy({ $0 != nil }) {
            let (up, planned) = times.compactMap { $0 }.reduce((Int64(0), Int64(0))) { ($0.0 + $1.up, $0.1 + $1.planned) }
            if planned > 0 { availability = .number(Double(up) / Double(planned)) }
        }
        return [
            transitions.isEmpty ? .absent : .integer(transitions.reduce(0, +)), availability,
            runs.contains { $0 == nil } ? .absent : .integer(runs.compactMap { $0 }.max() ?? 0),
        ]
    }

    @Test(arguments: ["1m", "5m", "10m", "20m"])
    func eachMachinesFiguresPerBucketAreThoseOfItsIntervals(step: String) throws {
        let scratch = try Self.indexed()
        let result = try Self.query(scratch, step: step)
        #expect(result.series.map { String(decoding: $0.group.device ?? [], as: UTF8.self) } == ["d1", "d2", "d3"])
        for series in result.series {
            let machine = try #require(Self.machines.first { Array($0.device.utf8) == series.group.device })
            #expect(!series.points.isEmpty)
            for point in series.points {
                #expect(
                    Self.figures(point) == Self.expected([machine], in: point.start..<point.end),
                    "\(machine.device) at \(point.start)")
            }
        }
    }

    @Test func faultRunsJoinAcrossAdjacentWindowsButNotAcrossAGapOrTheCutOfAWindowWrittenTwice() throws {
        let scratch = try Self.indexed()
        let tenMinutes = try Self.query(scratch, step: "10m")
        let d1 = try #require(tenMinutes.series.first?.points)
        // 150–310 s over minutes 2 to 5.
        #expect(d1[0].value(of: .longestFaultMs) == .integer(160_000))
        // 930–1000 s: the second record of minute 15 (930–960 s) and minute 16; the gap's two
        // sides (30 s and 50 s) stay apart, and 910–930 s before the cut is a run of its own.
        #expect(d1[1].value(of: .longestFaultMs) == .integer(70_000))
        #expect(d1[0].value(of: .transitions) == .integer(8), "the repeated fault reading at 200 s is no transition")
        #expect(d1[1].value(of: .transitions) == .integer(5))
        #expect(d1[0].value(of: .availability) == .number(270_000.0 / 595_000.0))
        #expect(d1[1].value(of: .availability) == .number(330_000.0 / 540_000.0))
        // The 5-minute edge at 300 s cuts the first fault: each bucket counts its part.
        let fiveMinutes = try #require(try Self.query(scratch, step: "5m").series.first?.points)
        #expect(fiveMinutes.prefix(2).map { $0.value(of: .longestFaultMs) } == [.integer(150_000), .integer(65_000)])
        // Minute 15 alone: the larger of its two records' runs.
        let minutes = try #require(try Self.query(scratch, step: "1m").series.first?.points)
        let minute15 = try #require(minutes.first { $0.start == StateTimeline.millis(second: 900) })
        #expect(minute15.value(of: .longestFaultMs) == .integer(30_000))
        #expect(minute15.merge.complete)
    }

    @Test func aSiteTakesTheLongestFaultOfAnyOneMachineAndNullsWhereAWindowLacksTheMeasures() throws {
        let scratch = try Self.indexed()
        let result = try Self.query(scratch, step: "10m", groupBy: "site")
        #expect(result.series.map { String(decoding: $0.group.site ?? [], as: UTF8.self) } == ["s", "t"])
        let site = try #require(result.series.first?.points)
        #expect(site.count == 2)
        for point in site {
            #expect(Self.figures(point) == Self.expected(Array(Self.machines.prefix(2)), in: point.start..<point.end))
        }
        // d2's 190 s fault, not d1's 160 s, and no run of one machine joined to another's.
        #expect(site[0].value(of: .longestFaultMs) == .integer(190_000))
        #expect(site[0].value(of: .transitions) == .integer(8 + 4))
        // Minute 12 of d2 has no measures: its transition at 750 s is not counted, and the
        // bucket has no availability or longest fault.
        #expect(site[1].value(of: .transitions) == .integer(5 + 2))
        #expect(site[1].value(of: .availability) == .absent && site[1].value(of: .longestFaultMs) == .absent)
        let other = try #require(result.series.last?.points.first)
        #expect(other.merge.count == 2 && Self.figures(other) == [.absent, .absent, .absent])
    }

    @Test func aQueryOfTheMeasuresAloneMergesAsOneThatAlsoAsksForNamedFigures() throws {
        // Without named figures the scan merges `PartialNumbers`, with them `PartialMerge`s.
        let scratch = try Self.indexed()
        for step in ["1m", "10m"] {
            for groupBy in ["device", "none"] {
                let lean = try Self.query(scratch, step: step, groupBy: groupBy)
                let full = try Self.query(scratch, step: step, groupBy: groupBy, aggregates: Self.aggregates + ",state_ms,first")
                #expect(lean.series.map { $0.points.map(Self.figures) } == full.series.map { $0.points.map(Self.figures) })
            }
        }
    }

    @Test func jsonAndCSVCarryTheMeasuresAndNullsWhereTheyAreUnknown() throws {
        let scratch = try Self.indexed()
        let result = try Self.query(scratch, step: "10m")
        let json = String(decoding: result.json(), as: UTF8.self)
        let availability = 270_000.0 / 595_000.0
        #expect(json.contains("\"transitions\":8,\"availability\":\(availability),\"longest_fault_ms\":160000,\"complete\":true"))
        #expect(
            json.contains("\"count\":2,\"transitions\":null,\"availability\":null,\"longest_fault_ms\":null,\"complete\":true"))
        let csv = result.csv()
        #expect(
            csv.hasPrefix(
                "start,end,park,site,device,metric,kind,unit,count,transitions,availability,longest_fault_ms,complete\r\n"))
        #expect(csv.contains(",d3,machine_state,state,,2,,,,true\r\n"))
    }

    @Test func aGaugeHasNoStateMeasures() throws {
        let scratch = try Self.indexed()
        let result = try scratch.query(
            [
                ("from", ReferenceSeries.time(StateTimeline.start)),
                ("to", ReferenceSeries.time(StateTimeline.start + StateTimeline.window)), ("metric", "power_kw"),
                ("step", "1m"), ("agg", Self.aggregates),
            ], nowMillis: StateTimeline.start)
        let point = try #require(result.series.first?.points.first)
        #expect(point.merge.count == 3 && Self.figures(point) == [.absent, .absent, .absent])
    }
}
