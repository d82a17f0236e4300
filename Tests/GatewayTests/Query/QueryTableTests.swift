import Foundation
import Testing

@testable import Gateway
@testable import TelemetryIndex

/// `gateway query`'s table for the state measures: transitions as a count, availability as a
/// percentage, the longest fault in ms, and `-` where a window lacks them.
@Suite("Query table")
struct QueryTableTests {
    /// A 10 s state window from 00:16:50 (`later`: the next one, from 00:17:00) with `fields`:
    /// the measures, or none for a record from before them.
    static func record(later: Bool = false, stateMs: String, fields: String) throws -> RollupRecord {
        let (start, end) =
            later
            ? ("2026-11-22T00:17:00.000Z", "2026-11-22T00:17:10.000Z") : ("2026-11-22T00:16:50.000Z", "2026-11-22T00:17:00.000Z")
        let line = """
            {"tier":"10s","start":"\(start)","end":"\(end)","park":"p","site":"s","device":"d","metric":"machine_state",\
            "kind":"state","unit":"","count":1,"state_count":{"fault":1},"state_ms":{\(stateMs)},\(fields)\
            "first":null,"last":null,"complete":true}
            """
        return try #require(RollupRecord(line: Array(line.utf8)))
    }

    static func table(_ merges: [PartialMerge]) throws -> [String] {
        let request = try QueryRequest.parse(
            [
                ("from", "2026-11-22T00:16:50Z"), ("to", "2026-11-22T00:17:10Z"), ("step", "20s"),
                ("agg", "count,transitions,availability,longest_fault_ms"),
            ], nowMillis: 0)
        let start = try #require(TimeExpression.rfc3339UTCMillis("2026-11-22T00:16:50.000Z"))
        let name = SeriesName(
            park: Array("p".utf8), site: Array("s".utf8), device: Array("d".utf8), metric: Array("machine_state".utf8))
        let series = QueryResult.Series(
            group: QueryGroup(name, grouping: .device), kind: "state", unit: "",
            points: merges.enumerated().map { index, merge in
                QueryResult.Point(start: start + Int64(index) * 20_000, end: start + Int64(index + 1) * 20_000, merge: merge)
            })
        let result = QueryResult(request: request, tierMillis: 10_000, series: [series])
        return QueryTable(result).text.split(separator: "\n").map(String.init)
    }

    @Test func theMeasuresAreColumnsAndAWindowWithoutThemShowsADash() throws {
        // The documented example (fault from 3 s in), then a window all in fault: one run of 17 s.
        let first = try Self.record(
            stateMs: "\"fault\":7000,\"running\":3000",
            fields: "\"transitions\":1,\"up_ms\":3000,\"planned_ms\":10000,\"availability\":0.3,\"longest_fault_ms\":7000,"
                + "\"leading_fault_ms\":0,\"trailing_fault_ms\":7000,")
        let second = try Self.record(
            later: true, stateMs: "\"fault\":10000",
            fields: "\"transitions\":0,\"up_ms\":0,\"planned_ms\":10000,\"availability\":0,\"longest_fault_ms\":10000,"
                + "\"leading_fault_ms\":10000,\"trailing_fault_ms\":10000,")
        var merge = PartialMerge(first, windowComplete: true)
        merge.append(PartialMerge(second, windowComplete: true))
        let older = PartialMerge(try Self.record(stateMs: "\"fault\":10000", fields: ""), windowComplete: true)
        let rows = try Self.table([merge, older])
        #expect(rows.count == 3, "\(rows)")
        #expect(rows[0].split(separator: " ").suffix(4) == ["count", "transitions", "availability", "longest_fault_ms"])
        #expect(rows[1].split(separator: " ").suffix(4) == ["2", "1", "15.0%", "17000ms"], "\(rows[1])")
        #expect(rows[2].split(separator: " ").suffix(4) == ["1", "-", "-", "-"], "\(rows[2])")
    }
}
