import Foundation
import Testing

@testable import TelemetryIndex

struct QueryRequestTests {
    private let now: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z

    private func parse(_ parameters: [(String, String)]) throws(QueryParameterError) -> QueryRequest {
        try QueryRequest.parse(parameters.map { (name: $0.0, value: $0.1) }, nowMillis: now)
    }

    private func error(_ parameters: [(String, String)]) -> QueryParameterError? {
        #expect(throws: QueryParameterError.self) { try parse(parameters) }
    }

    @Test func noParametersGiveTheLastHourByMinuteInUTC() throws {
        let request = try parse([])
        #expect(request.fromMillis == now - 3_600_000)
        #expect(request.toMillis == now)
        #expect(request.step == .fixed(millis: 60_000))
        #expect(request.timeZone == TimeZone(identifier: "UTC"))  // Foundation spells its identifier GMT
        #expect(request.timeZone.secondsFromGMT(for: Date()) == 0)
        #expect(try parse([("tz", "UTC")]) == request)
        #expect(request.park == .any && request.site == .any && request.device == .any && request.metric == .any)
        #expect(request.groupBy == .device)
        #expect(request.aggregates == [.count, .mean, .min, .max])
        #expect(request.format == nil)
        #expect(request == QueryRequest(fromMillis: now - 3_600_000, toMillis: now))
    }

    @Test func everyParameterIsRead() throws {
        let request = try parse([
            ("from", "2026-11-30T00:00:00+07:00"), ("to", "now"), ("park", "north"), ("site", "f01,f02,line3-*"),
            ("device", "inv-*"), ("metric", "power_w"), ("step", "24h"), ("tz", "Asia/Ho_Chi_Minh"),
            ("group_by", "site"), ("agg", "sum,mean,sum"), ("format", "csv"),
        ])
        #expect(request.fromMillis == 1_795_971_600_000)
        #expect(request.toMillis == now)
        #expect(request.park == NameFilter(patterns: [Array("north".utf8)]))
        #expect(request.site.patterns == [Array("f01".utf8), Array("f02".utf8), Array("line3-*".utf8)])
        #expect(request.device.matches("inv-7"))
        #expect(!request.device.matches("meter-7"))
        #expect(request.metric.description == "power_w")
        #expect(request.step == .days(1))
        #expect(request.timeZone.identifier == "Asia/Ho_Chi_Minh")
        #expect(request.groupBy == .site)
        #expect(request.aggregates == [.sum, .mean])
        #expect(request.format == .csv)
    }

    @Test func relativeTimesCountBackFromNow() throws {
        let request = try parse([("from", "-7d"), ("to", "-90m")])
        #expect(request.fromMillis == now - 604_800_000)
        #expect(request.toMillis == now - 5_400_000)
    }

    @Test func aFromGivenAloneRunsToNow() throws {
        let request = try parse([("from", "-24h")])
        #expect(request.fromMillis == now - 86_400_000)
        #expect(request.toMillis == now)
    }

    @Test func emptyNameFiltersSelectEveryName() throws {
        let request = try parse([("park", ""), ("site", ""), ("device", ""), ("metric", "")])
        #expect(request.park.isAny && request.site.isAny && request.device.isAny && request.metric.isAny)
    }

    @Test func eachGroupingAndFormatIsAccepted() throws {
        #expect(try parse([("group_by", "none")]).groupBy == QueryGrouping.none)
        #expect(try parse([("group_by", "park")]).groupBy == .park)
        #expect(try parse([("format", "json")]).format == .json)
    }

    @Test func theAcceptedNamesAreTheContractsEleven() {
        #expect(
            QueryRequest.acceptedParameterNames == [
                "from", "to", "park", "site", "device", "metric", "step", "tz", "group_by", "agg", "format",
            ])
    }

    // MARK: Refusals

    @Test func aMisspelledParameterIsNamedWithTheAcceptedOnes() {
        let refusal = error([("from", "-1h"), ("stpe", "5m")])
        #expect(
            refusal?.description
                == "stpe: not a known parameter (given \"5m\"); expected one of from, to, park, site, device, metric, "
                + "step, tz, group_by, agg, format")
        #expect(refusal?.parameter == "stpe")
        #expect(refusal?.value == "5m")
    }

    @Test(arguments: ["Step", "STEP", "step ", "", "limit", "group-by", "groupBy", "aggs"])
    func namesAreMatchedExactly(name: String) {
        #expect(error([(name, "1")])?.problem == "not a known parameter (given \"1\")")
    }

    @Test func aParameterGivenTwiceIsRefusedEvenWithTheSameValue() {
        #expect(
            error([("step", "5m"), ("agg", "max"), ("step", "1h")])?.description
                == "step: given twice (\"5m\" and \"1h\"); expected each parameter at most once")
        #expect(error([("park", "p1"), ("park", "p1")])?.parameter == "park")
        #expect(error([("park", ""), ("park", "")])?.parameter == "park")
    }

    @Test func anUnknownNameIsReportedBeforeABadValue() {
        #expect(error([("step", "7x"), ("stpe", "5m")])?.parameter == "stpe")
    }

    @Test func aBadFromIsReportedBeforeABadTo() {
        #expect(error([("to", "later"), ("from", "earlier")])?.parameter == "from")
    }

    @Test func aFromNotBeforeToIsRefused() {
        #expect(
            error([("from", "2026-12-01T00:00:00Z"), ("to", "2026-12-01T07:00:00+07:00")])?.description
                == "from: \"2026-12-01T00:00:00Z\" is not before to (\"2026-12-01T07:00:00+07:00\"); "
                + "expected a from earlier than to")
        #expect(
            error([("from", "now")])?.description
                == "from: \"now\" is not before to (now, the default); expected a from earlier than to")
        #expect(error([("from", "-1h"), ("to", "-2h")])?.parameter == "from")
    }

    @Test func aToInThePastNeedsAFromBecauseTheDefaultIsAnHourBeforeNow() throws {
        #expect(
            error([("to", "2020-01-01T00:00:00Z")])?.description
                == "from: an hour before now (the default) is not before to (\"2020-01-01T00:00:00Z\"); "
                + "expected a from earlier than to")
        let request = try parse([("from", "2019-12-31T00:00:00Z"), ("to", "2020-01-01T00:00:00Z")])
        #expect(request.toMillis - request.fromMillis == 86_400_000)
    }

    @Test(arguments: ["from", "to"])
    func aMalformedTimeNamesItsParameter(parameter: String) {
        #expect(
            error([(parameter, "yesterday")])?.description
                == "\(parameter): \"yesterday\" is not a time; expected an RFC 3339 time (2026-12-01T00:00:00Z, "
                + "2026-12-01T07:00:00+07:00) or now, -24h, -7d, -90m, -30s")
        #expect(error([(parameter, "")])?.problem == "\"\" is not a time")
        #expect(error([(parameter, "2026-02-30T00:00:00Z")])?.parameter == parameter)
    }

    @Test func aRelativeTimeTooFarBackIsACleanError() {
        #expect(
            error([("from", "-99999999999999d")])?.problem == "\"-99999999999999d\" is too far from now to count in milliseconds")
        #expect(error([("to", "-99999999999999999999s")])?.parameter == "to")
    }

    @Test func theDefaultFromOutOfRangeIsACleanError() {
        #expect(throws: QueryParameterError.self) { try QueryRequest.parse([], nowMillis: Int64.min + 5) }
    }

    @Test func aBadStepIsReportedAsTheStepsError() {
        #expect(
            error([("step", "7x")])?.description
                == #"step: "7x" is not a duration; expected a whole number followed by s, m, h or d (10s, 5m, 1h, 1d)"#)
        #expect(error([("step", "99999999999999d")])?.problem == "\"99999999999999d\" is too long to count in milliseconds")
        #expect(error([("step", "")])?.parameter == "step")
    }

    @Test(arguments: ["Mars/Olympus_Mons", "", "Europe/berlin_", "UTC+25"])
    func anUnknownZoneIsAnError(zone: String) {
        #expect(
            error([("tz", zone)])?.description
                == "tz: \"\(zone)\" is not a known time zone; expected an IANA zone name such as UTC, Europe/Berlin "
                + "or Asia/Ho_Chi_Minh")
    }

    @Test func quantilesAreTakenUnderTheNamesAsked() throws {
        let aggregates = try parse([("agg", "count,p95,q0.999")]).aggregates
        #expect(aggregates.map(\.name) == ["count", "p95", "q0.999"])
        let fractions = aggregates.compactMap { aggregate -> Double? in
            guard case .quantile(let quantile) = aggregate else { return nil }
            return quantile.fraction
        }
        #expect(fractions == [0.95, 0.999])
    }

    @Test func knownZonesAreTaken() throws {
        #expect(try parse([("tz", "Europe/Berlin")]).timeZone.identifier == "Europe/Berlin")
        #expect(try parse([("tz", "Asia/Kolkata")]).timeZone.secondsFromGMT(for: Date()) == 19_800)
    }

    @Test(arguments: ["park", "site", "device", "metric"])
    func anEmptyNameInAListNamesItsParameter(parameter: String) {
        let refusal = error([(parameter, "a,,b")])
        #expect(refusal?.parameter == parameter)
        #expect(refusal?.problem == "\"a,,b\" has an empty item in its list")
    }

    @Test func badGroupingsAggregatesAndFormatsNameTheirParameters() {
        #expect(error([("group_by", "host")])?.parameter == "group_by")
        let quantile = error([("agg", "mean,p100")])
        #expect(quantile?.parameter == "agg" && quantile?.problem == "\"p100\" is not an aggregate")
        #expect(error([("agg", "")])?.parameter == "agg")
        #expect(error([("format", "xml")])?.parameter == "format")
    }
}
