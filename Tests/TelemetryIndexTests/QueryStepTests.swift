import Testing

@testable import TelemetryIndex

struct QueryStepTests {
    @Test(arguments: [
        ("10s", QueryStep.fixed(millis: 10_000), "10s"),
        ("90s", .fixed(millis: 90_000), "90s"),
        ("60s", .fixed(millis: 60_000), "1m"),
        ("1m", .fixed(millis: 60_000), "1m"),
        ("5m", .fixed(millis: 300_000), "5m"),
        ("90m", .fixed(millis: 5_400_000), "90m"),
        ("120m", .fixed(millis: 7_200_000), "2h"),
        ("3600s", .fixed(millis: 3_600_000), "1h"),
        ("1h", .fixed(millis: 3_600_000), "1h"),
        ("25h", .fixed(millis: 90_000_000), "25h"),
        ("36h", .fixed(millis: 129_600_000), "36h"),
        ("24h", .days(1), "1d"),
        ("48h", .days(2), "2d"),
        ("1440m", .days(1), "1d"),
        ("86400s", .days(1), "1d"),
        ("1d", .days(1), "1d"),
        ("7d", .days(7), "7d"),
        ("010s", .fixed(millis: 10_000), "10s"),
    ])
    func aValidStepParsesToItsCanonicalForm(text: String, step: QueryStep, canonical: String) throws {
        let parsed = try QueryStep.parse(text)
        #expect(parsed == step)
        #expect(parsed.description == canonical)
        #expect(try QueryStep.parse(canonical) == step)
    }

    @Test func theDefaultStepIsOneMinute() {
        #expect(QueryStep.defaultStep == .fixed(millis: 60_000))
        #expect(QueryStep.defaultStep.description == "1m")
    }

    @Test func aMalformedStepSaysSoInOneSentence() {
        let error = #expect(throws: QueryParameterError.self) { try QueryStep.parse("7x") }
        #expect(
            error?.description
                == #"step: "7x" is not a duration; expected a whole number followed by s, m, h or d (10s, 5m, 1h, 1d)"#)
        #expect(error?.parameter == "step")
        #expect(error?.value == "7x")
    }

    @Test(arguments: [
        "", "s", "10", "1.5h", "-1h", "+1h", "1 h", " 1h", "1h ", "1H", "10S", "1D", "1hh", "h1", "1m30s", "1ms",
        "1w", "1y", "\u{0663}s", "１h", "0x10s",
    ])
    func otherFormsAreNotDurations(text: String) {
        #expect(throws: QueryParameterError.invalid("step", text, is: "is not a duration", expected: QueryStep.expected)) {
            try QueryStep.parse(text)
        }
    }

    @Test(arguments: ["0s", "0m", "0h", "0d", "000m"])
    func aZeroStepIsRefused(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryStep.parse(text) }
        #expect(error?.problem == "\"\(text)\" is not longer than zero")
    }

    @Test(arguments: ["99999999999999d", "106751991168d", "2562047788016h", "9223372036854775807s", "99999999999999999999999s"])
    func aStepTooLongForMillisecondsIsACleanError(text: String) {
        let error = #expect(throws: QueryParameterError.self) { try QueryStep.parse(text) }
        #expect(
            error?.description
                == "step: \"\(text)\" is too long to count in milliseconds; expected \(QueryStep.expected)")
    }

    @Test func theLongestStepThatFitsInMillisecondsIsAccepted() throws {
        #expect(try QueryStep.parse("106751991167d") == .days(106_751_991_167))
        #expect(try QueryStep.parse("2562047788015h") == .fixed(millis: 9_223_372_036_854_000_000))
    }

    @Test func aStepMadeInCodeIsSpelledInTheLargestUnitThatDividesIt() {
        #expect(QueryStep.fixed(millis: 1500).description == "1500ms")
        #expect(QueryStep.fixed(millis: 86_400_000).description == "24h")
        #expect(QueryStep.days(30).description == "30d")
    }
}
