import Foundation
import Testing

@testable import Telemetry

@Suite("JSON lines and timestamps")
struct JSONLineBuilderTests {
    @Test func formatsUTCTimestamps() {
        #expect(UTCTimestamp.string(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.string(millis: 1_763_712_062_000) == "2025-11-21T08:01:02.000Z")
        #expect(UTCTimestamp.string(millis: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(UTCTimestamp.string(millis: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func agreesWithFoundationOnRandomInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let millis = Int64.random(in: 0...4_102_444_800_000, using: &generator)
            #expect(
                formatter.date(from: UTCTimestamp.string(millis: millis)).map {
                    Int64(($0.timeIntervalSince1970 * 1000).rounded())
                } == millis)
        }
    }

    @Test func escapesStringsAndParsesBack() throws {
        var line = JSONLineBuilder()
        line.openObject()
        line.key("text"); line.string("quote \" backslash \\ newline \n tab \t bell \u{07} ünï")
        line.key("n"); line.number(24.1)
        line.key("nested"); line.openObject(); line.key("i"); line.integer(-3); line.closeObject()
        line.key("ok"); line.bool(true)
        line.closeObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.bytes)) as? [String: Any])
        #expect(object["text"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} ünï")
        #expect(object["n"] as? Double == 24.1)
        #expect((object["nested"] as? [String: Any])?["i"] as? Int == -3)
        #expect(object["ok"] as? Bool == true)
    }
}
