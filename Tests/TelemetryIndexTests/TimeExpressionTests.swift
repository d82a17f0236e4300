import Foundation
import Telemetry
import Testing

@testable import TelemetryIndex

struct TimeExpressionTests {
    // MARK: RFC 3339

    @Test func theGatewayRecordFormatGivesTheExactMillisecond() {
        #expect(TimeExpression.rfc3339UTCMillis("2026-11-21T08:01:00.000Z") == 1_795_248_060_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-11-21T08:01:00.123Z") == 1_795_248_060_123)
        #expect(TimeExpression.rfc3339UTCMillis("1970-01-01T00:00:00.000Z") == 0)
        #expect(TimeExpression.rfc3339UTCMillis("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test func wholeSecondsWithoutAFractionAreAccepted() {
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00Z") == 1_796_083_200_000)
    }

    @Test func anOffsetIsSubtractedToGiveUTC() {
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T07:00:00+07:00") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T05:30:00+05:30") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-11-30T19:00:00-05:00") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00-00:00") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00+00:00") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T23:59:00+23:59") == 1_796_083_200_000)
    }

    @Test func lowercaseTAndZAreAcceptedAsRFC3339Allows() {
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01t00:00:00z") == 1_796_083_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-11-21t08:01:00.123z") == 1_795_248_060_123)
    }

    @Test func fractionsOfOneToNineDigitsAreTruncatedToMilliseconds() {
        let base: Int64 = 1_796_083_200_000
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.5Z") == base + 500)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.12Z") == base + 120)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.1239Z") == base + 123)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.999999999Z") == base + 999)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T07:00:00.0019+07:00") == base + 1)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.1234567890Z") == nil)
        #expect(TimeExpression.rfc3339UTCMillis("2026-12-01T00:00:00.Z") == nil)
    }

    @Test func instantsBeforeTheEpochTruncateTheFractionOnTheWallClock() {
        #expect(TimeExpression.rfc3339UTCMillis("1969-12-31T23:59:59.5Z") == -500)
        #expect(TimeExpression.rfc3339UTCMillis("1969-12-31T23:59:59.9999Z") == -1)
        #expect(TimeExpression.rfc3339UTCMillis("1900-01-01T00:00:00Z") == -2_208_988_800_000)
    }

    @Test func yearsZeroToNineThousandNineHundredNinetyNineAreAccepted() {
        #expect(TimeExpression.rfc3339UTCMillis("0000-01-01T00:00:00Z") == -62_167_219_200_000)
        #expect(TimeExpression.rfc3339UTCMillis("0001-01-01T00:00:00.000Z") == -62_135_596_800_000)
        #expect(TimeExpression.rfc3339UTCMillis("9999-12-31T23:59:59.999Z") == 253_402_300_799_999)
        #expect(TimeExpression.rfc3339UTCMillis("0000-01-01T00:00:00+01:00") == -62_167_222_800_000)
        #expect(TimeExpression.rfc3339UTCMillis("10000-01-01T00:00:00Z") == nil)
        #expect(TimeExpression.rfc3339UTCMillis("-0001-01-01T00:00:00Z") == nil)
    }

    @Test func leapDaysFollowTheGregorianRules() {
        #expect(TimeExpression.rfc3339UTCMillis("2024-02-29T12:00:00Z") == 1_709_208_000_000)
        #expect(TimeExpression.rfc3339UTCMillis("2000-02-29T00:00:00Z") == 951_782_400_000)
        #expect(TimeExpression.rfc3339UTCMillis("2026-02-29T00:00:00Z") == nil)
        #expect(TimeExpression.rfc3339UTCMillis("1900-02-29T00:00:00Z") == nil)
        #expect(TimeExpression.rfc3339UTCMillis("2100-02-29T00:00:00.000Z") == nil)
        #expect(TimeExpression.rfc3339UTCMillis("0000-02-29T00:00:00Z") == -62_162_121_600_000)
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2026-02-30T00:00:00.000Z", "2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z",
        "2026-09-31T00:00:00Z", "2026-11-31T00:00:00Z", "2026-01-32T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T24:00:00.000Z",
        "2026-12-01T23:60:00Z", "2026-12-01T23:59:60Z", "2026-12-31T23:59:60.000Z", "2026-12-01T00:00:00+24:00",
        "2026-12-01T00:00:00+07:60",
    ])
    func impossibleDatesAndTimesAreRefused(text: String) {
        #expect(TimeExpression.rfc3339UTCMillis(text) == nil)
    }

    @Test(arguments: [
        "", "2026-12-01", "2026-12-01T00:00:00", "2026-12-01T00:00:00.000", "2026-12-01 00:00:00Z",
        "2026-12-01T00:00Z", "2026-12-01T00:00:00+0700", "2026-12-01T00:00:00+07", "2026-12-01T00:00:00+7:00",
        "2026-12-01T00:00:00Zx", "2026-12-01T00:00:00ZZ", "2026-12-01T00:00:00.000ZZ", " 2026-12-01T00:00:00Z",
        "2026-12-01T00:00:00Z ", "+2026-12-01T00:00:00Z", "2026-1-01T00:00:00Z", "2026/12/01T00:00:00Z",
        "2026-12-01T00:00:00.00aZ", "2026-12-01T00:00:00,000Z", "2026-12-01T00:00:00.000z0",
        "2026-12-01X00:00:00.000Z", "2026-12-01T00-00-00Z", "2026-12-01T00:00:00 Z", "2026-12-01T00:00:00.000+",
        "２０２６-12-01T00:00:00Z", "2026-12-01T00:00:00.000\u{1F600}", "2026-12-01T00:00:00.+07:00",
    ])
    func malformedTimesAreRefused(text: String) {
        #expect(TimeExpression.rfc3339UTCMillis(text) == nil)
        #expect(TimeExpression.millis(parsing: text, nowMillis: 0) == nil)
    }

    @Test func theBytesEntryReadsARecordsTimestampInPlace() {
        let line = Array(#"{"ts":"2026-11-21T08:01:00.123Z","v":1}"#.utf8)
        let millis = line[7..<31].withUnsafeBufferPointer { TimeExpression.rfc3339UTCMillis(utf8: $0) }
        #expect(millis == 1_795_248_060_123)
    }

    @Test func theGatewaysOwnFormatterRoundTripsOnRandomInstants() {
        var random = SplitMix64(seed: 42)
        let low: Int64 = -62_167_219_200_000  // 0000-01-01
        let high: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999
        for _ in 0..<2000 {
            let millis = low + Int64(random.next() % UInt64(high - low + 1))
            let text = UTCTimestamp.string(millis: millis)
            #expect(TimeExpression.rfc3339UTCMillis(text) == millis, "\(text)")
        }
    }

    @Test func foundationsISO8601FormatterAgreesOnRandomInstantsFrom1970To2100() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let zones = [0, 25_200, 19_800, -12_600, -18_000, 50_400].compactMap { TimeZone(secondsFromGMT: $0) }
        var random = SplitMix64(seed: 7)
        let low: Int64 = 0
        let high: Int64 = 4_102_444_800_000  // 2100-01-01
        var compared = 0
        for index in 0..<600 {
            let millis = low + Int64(random.next() % UInt64(high - low))
            formatter.timeZone = zones[index % zones.count]
            let text = formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            guard let date = formatter.date(from: text) else {
                Issue.record("Foundation does not read its own \(text)")
                continue
            }
            let foundation = Int64((date.timeIntervalSince1970 * 1000).rounded())
            #expect(TimeExpression.rfc3339UTCMillis(text) == foundation, "\(text)")
            #expect(abs(foundation - millis) <= 1, "\(text)")
            compared += 1
        }
        #expect(compared == 600)
    }

    @Test func foundationsISO8601FormatterAgreesOnWholeSecondsWithoutAFraction() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var random = SplitMix64(seed: 11)
        for index in 0..<300 {
            let seconds = Int64(random.next() % 4_102_444_800)
            formatter.timeZone = TimeZone(secondsFromGMT: (index % 27 - 13) * 3600) ?? .gmt
            let text = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(TimeExpression.rfc3339UTCMillis(text) == seconds * 1000, "\(text)")
            #expect(formatter.date(from: text).map { Int64($0.timeIntervalSince1970) } == seconds, "\(text)")
        }
    }

    // MARK: Relative times

    @Test func nowIsTheGivenInstant() {
        #expect(TimeExpression.millis(parsing: "now", nowMillis: 1_796_083_200_000) == 1_796_083_200_000)
    }

    @Test func aNegativeDurationCountsBackFromNow() {
        let now: Int64 = 1_796_083_200_000
        #expect(TimeExpression.millis(parsing: "-24h", nowMillis: now) == now - 86_400_000)
        #expect(TimeExpression.millis(parsing: "-7d", nowMillis: now) == now - 604_800_000)
        #expect(TimeExpression.millis(parsing: "-90m", nowMillis: now) == now - 5_400_000)
        #expect(TimeExpression.millis(parsing: "-30s", nowMillis: now) == now - 30_000)
        #expect(TimeExpression.millis(parsing: "-0s", nowMillis: now) == now)
        #expect(TimeExpression.millis(parsing: "-24h", nowMillis: 0) == -86_400_000)
    }

    @Test func rfc3339TimesPassThroughRegardlessOfNow() {
        #expect(TimeExpression.millis(parsing: "2026-12-01T07:00:00+07:00", nowMillis: 5) == 1_796_083_200_000)
    }

    @Test(arguments: [
        "Now", "NOW", "now ", "+1h", "1h", "-1x", "-h", "-", "--1h", "- 1h", "-1H", "-1.5h", "-1h30m", "-1ms",
        "-24 h", "-1w", "yesterday",
    ])
    func otherRelativeFormsAreRefused(text: String) {
        #expect(TimeExpression.millis(parsing: text, nowMillis: 1_796_083_200_000) == nil)
        #expect(TimeExpression.read(text, nowMillis: 1_796_083_200_000) == .malformed)
    }

    @Test func aDurationTooLongForMillisecondsIsOutOfRangeNotATrap() {
        #expect(TimeExpression.millis(parsing: "-99999999999999d", nowMillis: 0) == nil)
        #expect(TimeExpression.read("-99999999999999d", nowMillis: 0) == .outOfRange)
        #expect(TimeExpression.read("-99999999999999999999999s", nowMillis: 0) == .outOfRange)
        #expect(TimeExpression.read("-9223372036854775807s", nowMillis: 0) == .outOfRange)
    }

    @Test func countingBackPastTheSmallestInstantIsOutOfRange() {
        #expect(TimeExpression.read("-1s", nowMillis: Int64.min + 999) == .outOfRange)
        #expect(TimeExpression.read("-1s", nowMillis: Int64.min + 1000) == .millis(Int64.min))
        #expect(TimeExpression.read("-106751991167d", nowMillis: 0) == .millis(-9_223_372_036_828_800_000))
    }
}
