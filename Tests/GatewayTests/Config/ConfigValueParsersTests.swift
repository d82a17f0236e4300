import Testing

@testable import Gateway

@Suite("Config value parsers")
struct ConfigValueParsersTests {
    @Test(
        "durations in every unit",
        arguments: [
            ("500ms", 500), ("10s", 10_000), ("1m", 60_000), ("1h", 3_600_000), ("1d", 86_400_000),
            ("10 s", 10_000), (" 5m ", 300_000), ("0s", 0),
        ] as [(String, Int64)])
    func duration(text: String, millis: Int64) {
        #expect(ConfigValueParsers.durationMillis(text) == millis)
    }

    @Test(
        "rejected durations",
        arguments: [
            "10", "1.5s", "-1s", "10S", "10sec", "s", "", "1m30s", "99999999999999999999d",
            "1000000000000000d",
        ])
    func badDuration(text: String) {
        #expect(ConfigValueParsers.durationMillis(text) == nil)
    }

    @Test(
        "durations printed in the largest exact unit",
        arguments: [
            (60_000, "1m"), (90_000, "90s"), (1_500, "1500ms"), (86_400_000, "1d"), (7_200_000, "2h"),
            (0, "0ms"),
        ]
            as [(Int64, String)])
    func durationText(millis: Int64, text: String) {
        #expect(ConfigValueParsers.durationText(millis: millis) == text)
    }

    @Test(
        "byte sizes, binary and decimal",
        arguments: [
            ("512", 512), ("64KiB", 65_536), ("64 KiB", 65_536), ("32MiB", 33_554_432),
            ("1GiB", 1_073_741_824), ("1KB", 1_000), ("1kB", 1_000), ("10MB", 10_000_000),
            ("2GB", 2_000_000_000),
            ("7B", 7), ("1TiB", 1_099_511_627_776),
        ] as [(String, Int64)])
    func byteSize(text: String, bytes: Int64) {
        #expect(ConfigValueParsers.byteCount(text) == bytes)
    }

    @Test(arguments: ["1.5GiB", "12 XB", "KiB", "-1", "64kib", "9999999999TiB"])
    func rejectedByteSizes(text: String) {
        #expect(ConfigValueParsers.byteCount(text) == nil)
    }

    @Test func byteSizesPrintedInTheLargestExactBinaryUnit() {
        #expect(ConfigValueParsers.byteText(33_554_432) == "32MiB")
        #expect(ConfigValueParsers.byteText(4 << 30) == "4GiB")
        #expect(ConfigValueParsers.byteText(1_000) == "1000B")
        #expect(ConfigValueParsers.byteText(0) == "0B")
    }

    @Test(arguments: ["iiot/+/+/+/telemetry", "#", "iiot/#", "+", "a//b", "/x"])
    func validMQTTTopicFilters(filter: String) {
        #expect(ConfigValueParsers.topicFilterProblem(filter) == nil)
    }

    @Test func invalidMQTTTopicFiltersNameTheRuleBroken() {
        #expect(
            ConfigValueParsers.topicFilterProblem("iiot/#/x")
                == "'#' must be a whole level and the last one (like iiot/#), in \"iiot/#/x\"")
        #expect(
            ConfigValueParsers.topicFilterProblem("iiot/a#")
                == "'#' must be a whole level and the last one (like iiot/#), in \"iiot/a#\"")
        #expect(
            ConfigValueParsers.topicFilterProblem("iiot/a+/b")
                == "'+' must be a whole level (like iiot/+/telemetry), in \"iiot/a+/b\"")
        #expect(ConfigValueParsers.topicFilterProblem("") == "a topic filter cannot be empty")
    }

    @Test func topicPatternsNamesDuplicatesLiterals() {
        #expect(ConfigValueParsers.topicPatternProblems("iiot/{park}/{site}/{device}/telemetry") == [])
        #expect(ConfigValueParsers.topicPatternProblems("{device}/{site}/{park}") == [])
        #expect(
            ConfigValueParsers.topicPatternProblems("iiot/{park}/{plant}/{device}")
                == [
                    "unknown segment name {plant}; the names are {park}, {site} and {device}",
                    "must contain {park}, {site} and {device}, one segment each; missing {site}",
                ])
        #expect(
            ConfigValueParsers.topicPatternProblems("{park}/{site}/{device}/{device}")
                == ["{device} appears more than once"])
        #expect(
            ConfigValueParsers.topicPatternProblems("x{park}/{site}/{device}")
                == [
                    "segment \"x{park}\" must be a literal or exactly one {name}; '{', '}', '+' and '#' cannot appear inside a literal",
                    "must contain {park}, {site} and {device}, one segment each; missing {park}",
                ])
        // Levels are split by Unicode scalar, as `TopicPattern` does: a combining mark after "/"
        // does not hide the "+" before it (found by fuzzing: check-config accepted what run refused).
        #expect(
            ConfigValueParsers.topicPatternProblems("iiot/+\u{301}/{park}/{site}/{device}")
                == [
                    "segment \"+\u{301}\" must be a literal or exactly one {name}; '{', '}', '+' and '#' cannot appear inside a literal"
                ])
    }

    @Test func didYouMeanSuggestions() {
        let mqttKeys = ConfigKeys.mqtt.allowedKeys
        #expect(ConfigKeySuggester.suggestion(for: "prot", among: mqttKeys) == "port")
        #expect(ConfigKeySuggester.suggestion(for: "hots", among: mqttKeys) == "host")
        #expect(ConfigKeySuggester.suggestion(for: "clientId", among: mqttKeys) == "client_id")
        #expect(ConfigKeySuggester.suggestion(for: "keepalive_seconds", among: mqttKeys) == "keepalive")
        #expect(ConfigKeySuggester.suggestion(for: "colour", among: mqttKeys) == nil)
        #expect(ConfigKeySuggester.suggestion(for: "mqt", among: ConfigKeys.sectionNames) == "mqtt")
        #expect(ConfigKeySuggester.suggestion(for: "guage", among: ["gauge", "counter", "state"]) == "gauge")
    }
}
