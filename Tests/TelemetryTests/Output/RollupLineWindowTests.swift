import Testing

@testable import Telemetry

/// Reading a rollup line's window from its first fields, as tier retention does, and the
/// timestamps in it.
@Suite("Rollup line window")
struct RollupLineWindowTests {
    @Test func theWindowOfEveryTiersLineIsReadAsTheWriterWroteIt() {
        let start: Int64 = 1_763_712_060_000
        for tier in [TierRetentionFixture.tenSeconds, TierRetentionFixture.minute, TierRetentionFixture.hour] {
            let line = Array(TierRetentionFixture.line(tier, at: start).utf8)
            let window = RollupLineWindow(line: line[...])
            #expect(window?.startMillis == tier.windowStart(containing: start))
            #expect(window?.lengthMillis == tier.lengthMillis)
        }
    }

    @Test func aLineThatDoesNotBeginAsARollupRecordIsNotClassified() {
        let valid = #"{"tier":"1m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z","park":"p"}"#
        #expect(
            RollupLineWindow(line: Array(valid.utf8)[...])
                == RollupLineWindow(startMillis: 1_763_712_060_000, endMillis: 1_763_712_120_000))
        let others = [
            "",
            #"{"ts":"2025-11-21T08:01:00.000Z","reason":"malformed_json"}"#,
            #"{"start":"2025-11-21T08:01:00.000Z","tier":"1m","end":"2025-11-21T08:02:00.000Z","park":"p"}"#,
            #"{"tier":"","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z","park":"p"}"#,
            #"{"tier":"1\"m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z","park":"p"}"#,
            #"{"tier":"1m","start":"2025-11-21T08:01:00Z","end":"2025-11-21T08:02:00Z","park":"p"}"#,
            #"{"tier":"1m","start":"2025-11-21T08:02:00.000Z","end":"2025-11-21T08:01:00.000Z","park":"p"}"#,
            #"{"tier":"1m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z"}"#,
            #"{"tier":"1m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.0"#,
            #"{ "tier":"1m","start":"2025-11-21T08:01:00.000Z","end":"2025-11-21T08:02:00.000Z","park":"p"}"#,
        ]
        for line in others {
            #expect(RollupLineWindow(line: Array(line.utf8)[...]) == nil, "\(line)")
        }
    }

    @Test func timestampsReadBackAsWrittenAcrossLeapDaysAndCenturies() {
        let samples: [Int64] = [
            0, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 1_763_712_060_412, -62_135_596_800_000,
            253_402_300_799_999, 1_709_164_800_000,
        ]
        for millis in samples {
            let text = Array(UTCTimestamp.string(millis: millis).utf8)
            #expect(UTCTimestamp.millis(parsing: text) == millis, "\(UTCTimestamp.string(millis: millis))")
        }
    }

    @Test func impossibleOrMisshapenTimestampsAreRefused() {
        for text in [
            "2025-02-29T00:00:00.000Z", "2100-02-29T00:00:00.000Z", "2025-04-31T00:00:00.000Z", "2025-13-01T00:00:00.000Z",
            "2025-00-01T00:00:00.000Z", "2025-01-01T24:00:00.000Z", "2025-01-01T00:60:00.000Z", "2025-01-01T00:00:60.000Z",
            "2025-01-01 00:00:00.000Z", "2025-01-01T00:00:00.000+", "2025-01-01T00:00:00.0000Z", "2025-1-01T00:00:00.000Z",
            "+025-01-01T00:00:00.000Z",
        ] {
            #expect(UTCTimestamp.millis(parsing: Array(text.utf8)) == nil, "\(text)")
        }
        #expect(UTCTimestamp.millis(parsing: Array("2024-02-29T23:59:59.999Z".utf8)) == 1_709_251_199_999)
        #expect(UTCTimestamp.millis(parsing: Array("2000-02-29T00:00:00.000Z".utf8)) == 951_782_400_000)
    }
}
