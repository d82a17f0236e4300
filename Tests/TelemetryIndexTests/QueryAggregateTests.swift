import Testing

@testable import TelemetryIndex

struct QueryAggregateTests {
    @Test func theTwelveAggregatesHaveTheirWireNames() {
        #expect(
            QueryAggregate.allCases.map(\.rawValue) == [
                "count", "sum", "min", "max", "mean", "stddev", "first", "last", "increase", "rate", "state_ms",
                "state_share",
            ])
    }

    @Test func theDefaultIsCountMeanMinMax() {
        #expect(QueryAggregate.defaultList == [.count, .mean, .min, .max])
    }

    @Test func aListIsParsedInItsOrder() throws {
        #expect(try QueryAggregate.parseList("count,mean,min,max") == [.count, .mean, .min, .max])
        #expect(try QueryAggregate.parseList("state_share,state_ms") == [.stateShare, .stateMs])
        #expect(try QueryAggregate.parseList("rate") == [.rate])
        let all = QueryAggregate.allCases.map(\.rawValue).joined(separator: ",")
        #expect(try QueryAggregate.parseList(all) == QueryAggregate.allCases)
    }

    @Test func duplicatesAreRemovedAndTheFirstPlaceKept() throws {
        #expect(try QueryAggregate.parseList("max,min,max,count,min") == [.max, .min, .count])
    }

    @Test func anUnknownAggregateNamesTheParameterAndListsWhatIsAccepted() {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList("count,avg") }
        #expect(
            error?.description
                == "agg: \"avg\" is not an aggregate; expected a comma list of count, sum, min, max, mean, stddev, "
                + "first, last, increase, rate, state_ms, state_share")
        #expect(error?.value == "count,avg")
    }

    @Test(arguments: ["p50", "p90", "p95", "p99", "p1", "p75", "q0.5", "q0.999", "q0.001", "q0.05"])
    func quantilesAreRecognisedAndRefusedForWantOfASketch(name: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList("mean,\(name)") }
        #expect(
            error?.problem
                == "\"\(name)\" is a quantile, and quantiles are not available yet because rollups carry no quantile sketch"
        )
        #expect(error?.parameter == "agg")
        #expect(error?.expected == QueryAggregate.expected)
    }

    @Test(arguments: ["p0", "p00", "p100", "p", "P95", "q1.0", "q0.0", "q0.", "q.5", "q0.5x", "Count", "avg", "median"])
    func namesThatAreNeitherAggregatesNorQuantilesAreUnknown(name: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryAggregate.parseList(name) }
        #expect(error?.problem == "\"\(name)\" is not an aggregate")
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
