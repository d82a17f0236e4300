import Testing

@testable import TelemetryIndex

struct QueryAggregateTests {
    @Test func theFifteenNamedAggregatesHaveTheirWireNames() {
        #expect(
            QueryAggregate.named.map(\.name) == [
                "count", "sum", "min", "max", "mean", "stddev", "first", "last", "increase", "rate", "state_ms",
                "state_share", "transitions", "availability", "longest_fault_ms",
            ])
    }

    @Test func theDefaultIsCountMeanMinMax() {
        #expect(QueryAggregate.defaultList == [.count, .mean, .min, .max])
    }

    @Test func aListIsParsedInItsOrder() throws {
        #expect(try QueryAggregate.parseList("count,mean,min,max") == [.count, .mean, .min, .max])
        #expect(try QueryAggregate.parseList("state_share,state_ms") == [.stateShare, .stateMs])
        #expect(try QueryAggregate.parseList("rate") == [.rate])
        #expect(
            try QueryAggregate.parseList("longest_fault_ms,transitions,availability") == [
                .longestFaultMs, .transitions, .availability,
            ])
        let all = QueryAggregate.named.map(\.name).joined(separator: ",")
        #expect(try QueryAggregate.parseList(all) == QueryAggregate.named)
    }

    @Test func duplicatesAreRemovedAndTheFirstPlaceKept() throws {
        #expect(try QueryAggregate.parseList("max,min,max,count,min") == [.max, .min, .count])
    }

    @Test func anUnknownAggregateNamesTheParameterAndListsWhatIsAccepted() {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList("count,avg") }
        #expect(
            error?.description
                == "agg: \"avg\" is not an aggregate; expected a comma list of count, sum, min, max, mean, stddev, "
                + "first, last, increase, rate, state_ms, state_share, transitions, availability, longest_fault_ms, "
                + "or quantiles: p1 to p99, or q0. and digits (q0.999)")
        #expect(error?.value == "count,avg")
    }

    @Test(arguments: [
        ("p50", 0.5), ("p1", 0.01), ("p01", 0.01), ("p05", 0.05), ("p9", 0.09), ("p95", 0.95), ("p99", 0.99),
        ("q0.5", 0.5), ("q0.999", 0.999), ("q0.001", 0.001), ("q0.05", 0.05), ("q0.950", 0.95),
    ])
    func quantilesParseToTheirFractionKeepingTheNameAsWritten(name: String, fraction: Double) throws {
        let list = try QueryAggregate.parseList("mean,\(name)")
        #expect(list.count == 2 && list[0] == .mean)
        guard case .quantile(let quantile) = list[1] else {
            Issue.record("\(name) parsed to \(list[1])")
            return
        }
        #expect(quantile.fraction == fraction)
        #expect(quantile.name == name && list[1].name == name)
    }

    @Test func aQuantileWrittenTwiceIsOneButTwoSpellingsAreTwoFields() throws {
        let list = try QueryAggregate.parseList("p95,q0.95,p95,p5,p05")
        #expect(list.map(\.name) == ["p95", "q0.95", "p5", "p05"])
    }

    @Test(arguments: [
        "p0", "p00", "p100", "p", "P95", "q1.0", "q1.5", "q0.0", "q0.", "q.5", "q0.5x", "p9.5", "p-5", "q0.5e1",
        "Q0.5", "p95 ", "Count", "avg", "median",
    ])
    func namesThatAreNeitherAggregatesNorQuantilesAreUnknownNamingTheItem(name: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList("count,\(name)") }
        #expect(error?.problem == "\"\(name)\" is not an aggregate")
        #expect(error?.parameter == "agg" && error?.value == "count,\(name)")
    }

    @Test(arguments: ["count,,max", "count,", ",count"])
    func anEmptyItemIsAnError(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList(text) }
        #expect(error?.problem == "\"\(text)\" has an empty item in its list")
    }

    @Test func anEmptyListIsAnError() {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList("") }
        #expect(error?.description == "agg: \"\" is empty; expected \(QueryAggregate.expected)")
    }
}

struct QueryGroupingAndFormatTests {
    @Test func theFourGroupingsParseFromTheirNames() throws {
        #expect(try QueryGrouping.parse("device") == .device)
        #expect(try QueryGrouping.parse("site") == .site)
        #expect(try QueryGrouping.parse("park") == .park)
        #expect(try QueryGrouping.parse("none") == QueryGrouping.none)
    }

    @Test(arguments: ["host", "Device", "", "devices", "none "])
    func anUnknownGroupingIsAnError(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryGrouping.parse(text) }
        #expect(
            error?.description == "group_by: \"\(text)\" is not a grouping; expected one of device, site, park, none")
    }

    @Test func jsonAndCSVAreTheFormats() throws {
        #expect(try QueryFormat.parse("json") == .json)
        #expect(try QueryFormat.parse("csv") == .csv)
    }

    @Test(arguments: ["xml", "JSON", "", "tsv"])
    func anyOtherFormatIsAnError(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryFormat.parse(text) }
        #expect(error?.description == "format: \"\(text)\" is not a format; expected json or csv")
    }
}
