import Testing

@testable import Telemetry

@Suite("TopicPattern")
struct TopicPatternTests {
    @Test func matchesTheDefaultPattern() throws {
        let pattern = try TopicPattern(TopicPattern.defaultPattern)
        #expect(pattern.match("iiot/yen-my/f01/env-0003/telemetry") == DeviceKey(park: "yen-my", site: "f01", device: "env-0003"))
    }

    @Test func rejectsTopicsThatDoNotFit() throws {
        let pattern = try TopicPattern(TopicPattern.defaultPattern)
        for topic in [
            "iiot/yen-my/f01/env-0003", "iiot/yen-my/f01/env-0003/telemetry/x", "iiot/yen-my//env-0003/telemetry",
            "other/yen-my/f01/env-0003/telemetry", "iiot/yen-my/f01/env-0003/telemetrx", "", "/",
        ] {
            #expect(pattern.match(topic) == nil, "\(topic)")
        }
    }

    @Test func supportsOtherLayoutsAndIgnoredNames() throws {
        let pattern = try TopicPattern("{park}/{zone}/{site}/{device}")
        #expect(pattern.match("dinh-vu/z9/f02/utl-0001") == DeviceKey(park: "dinh-vu", site: "f02", device: "utl-0001"))
    }

    @Test func explainsBadPatterns() {
        #expect(throws: TopicPatternError.missingName("device", pattern: "iiot/{park}/{site}")) {
            try TopicPattern("iiot/{park}/{site}")
        }
        #expect(throws: TopicPatternError.repeatedName("park", pattern: "{park}/{park}/{site}/{device}")) {
            try TopicPattern("{park}/{park}/{site}/{device}")
        }
        #expect(throws: TopicPatternError.badLevel("+", pattern: "+/{park}/{site}/{device}")) {
            try TopicPattern("+/{park}/{site}/{device}")
        }
    }
}
