import Foundation
import Telemetry
import Testing

@testable import Gateway

/// `ingest.subscriptions`: the settings a valid list gives, the MQTT filters made from it, and
/// every way an entry can be wrong, each at its file, line, column and key path.
@Suite("Ingest subscriptions config")
struct SubscriptionsConfigTests {
    /// A JSON subscription and two line protocol ones, one naming every level by a tag.
    static let threeSubscriptions = """
        ingest:
          subscriptions:
            - format: json
              topic: "plant/{park}/{site}/{device}/json"
            - format: line
              topic: "plant/{park}/{site}/influx"
              precision: ms
              device_tag: host
              metric: measurement_field
            - format: line
              topic: "lp/{device}/x"
              park_tag: park
              site_tag: site
              device_tag: machine

        """

    @Test func aJSONAndTwoLineSubscriptionsGiveTheirPatternsOptionsAndMQTTFilters() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(Self.threeSubscriptions)
        #expect(config.ingest.topicPattern == "plant/{park}/{site}/{device}/json")
        #expect(
            config.ingest.subscriptions == [
                .json(topicPattern: "plant/{park}/{site}/{device}/json"),
                .line(
                    topicPattern: "plant/{park}/{site}/influx",
                    options: LineProtocolOptions(precision: .milliseconds, deviceTag: "host", metricNaming: .measurementField)),
                .line(
                    topicPattern: "lp/{device}/x",
                    options: LineProtocolOptions(parkTag: "park", siteTag: "site", deviceTag: "machine")),
            ])
        #expect(config.mqtt.topics == ["plant/+/+/+/json", "plant/+/+/influx", "lp/+/x"])
    }

    @Test func explicitMQTTTopicsWinOverTheFiltersOfTheSubscriptions() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("mqtt:\n  topics: [\"plant/#\", \"lp/#\"]\n" + Self.threeSubscriptions)
        #expect(config.mqtt.topics == ["plant/#", "lp/#"])
        #expect(config.ingest.subscriptions?.count == 3)
    }

    @Test func withoutAJSONSubscriptionJSONKeepsTheDefaultPatternAndIsNotSubscribedTo() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("ingest:\n  subscriptions:\n    - {format: line, topic: \"lp/{park}/{site}/{device}\"}\n")
        #expect(config.ingest.topicPattern == TopicPattern.defaultPattern)
        #expect(config.ingest.subscriptions == [.line(topicPattern: "lp/{park}/{site}/{device}", options: LineProtocolOptions())])
        #expect(config.mqtt.topics == ["lp/+/+/+"])
    }

    @Test func withoutSubscriptionsTheJSONPatternAndTopicsAreTheDefaults() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("ingest:\n  topic_pattern: \"a/{park}/{site}/{device}\"\n")
        #expect(config.ingest.subscriptions == nil)
        #expect(config.ingest.topicPattern == "a/{park}/{site}/{device}")
        #expect(config.mqtt.topics == MQTTSettings().topics)
    }

    @Test func theListMustBeANonEmptyListOfMappings() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  subscriptions: {format: json}\n")
                == [
                    fixture.issue(
                        2, 18, "ingest.subscriptions",
                        #"expected a list of subscriptions like [{format: json, topic: "iiot/{park}/{site}/{device}/telemetry"}], "#
                            + "got a mapping")
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions: []\n")
                == [fixture.issue(2, 18, "ingest.subscriptions", "expected at least one subscription, got an empty list")])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - json\n    -\n")
                == [
                    fixture.issue(
                        3, 7, "ingest.subscriptions[0]", #"expected a subscription: a mapping with format and topic, got "json""#),
                    fixture.issue(
                        4, 6, "ingest.subscriptions[1]",
                        "expected a subscription: a mapping with format and topic, got an empty value"),
                ])
    }

    @Test func formatAndTopicAreRequiredAndFormatIsJSONLineOrSparkplugB() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - topic: \"a/{park}/{site}/{device}\"\n    - format: json\n")
                == [
                    fixture.issue(3, 7, "ingest.subscriptions[0]", "format is required: json, line or sparkplug_b"),
                    fixture.issue(
                        4, 7, "ingest.subscriptions[1]",
                        "topic is required: a topic pattern like iiot/{park}/{site}/{device}/telemetry"),
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: jsn, topic: \"a/{park}/{site}/{device}\"}\n")
                == [
                    fixture.issue(
                        3, 16, "ingest.subscriptions[0].format",
                        #"expected json, line or sparkplug_b, got "jsn"; did you mean json?"#)
                ])
    }

    @Test func aPatternMustNameTheLevelsItsFormatNeedsAndHaveAValidFilter() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: json, topic: \"a/{park}/{site}\"}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "must contain {park}, {site} and {device}, one segment each; missing {device}")
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: line, topic: \"a/{park}\", site_tag: s}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "must contain {park} and {device}, as no tag names them; missing {device} (or set device_tag)")
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: line, topic: \"a/x\", park_tag: p, site_tag: s}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "must contain {device}, as no tag names it; missing {device} (or set device_tag)")
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: line, topic: \"a/+/{device}\", park_tag: p, site_tag: s}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "segment \"+\" must be a literal or exactly one {name}; '{', '}', '+' and '#' cannot appear inside a literal"
                    )
                ])
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: json, topic: \"a\\0/{park}/{site}/{device}\"}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "its MQTT filter is not valid: a topic filter cannot contain a NUL character")
                ])
    }

    @Test func lineOptionsAreCheckedAndRefusedOnAJSONSubscription() throws {
        let fixture = try ConfigFixture()
        let line = "ingest:\n  subscriptions:\n    - format: line\n      topic: \"a/{park}/{site}/{device}\"\n"
        #expect(
            fixture.issues(
                line + "      precision: sec\n      metric: measurement\n      device_tag: \"\"\n      devcie_tag: x\n")
                == [
                    fixture.issue(5, 18, "ingest.subscriptions[0].precision", #"expected ns, us, ms or s, got "sec""#),
                    fixture.issue(
                        6, 15, "ingest.subscriptions[0].metric",
                        #"expected field or measurement_field, got "measurement"; did you mean measurement_field?"#),
                    fixture.issue(7, 19, "ingest.subscriptions[0].device_tag", #"expected a tag key like device, got """#),
                    fixture.issue(8, 7, "ingest.subscriptions[0].devcie_tag", #"unknown key; did you mean "device_tag"?"#),
                ])
        let json = "ingest:\n  subscriptions:\n    - format: json\n      topic: \"a/{park}/{site}/{device}\"\n"
        #expect(
            fixture.issues(json + "      precision: ms\n      device_tag: host\n")
                == [
                    fixture.issue(
                        5, 7, "ingest.subscriptions[0].precision",
                        "precision is for format: line; a json subscription does not take it"),
                    fixture.issue(
                        6, 7, "ingest.subscriptions[0].device_tag",
                        "device_tag is for format: line; a json subscription does not take it"),
                ])
    }

    @Test func oneJSONSubscriptionAtMostAndNotTogetherWithTopicPattern() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues(
                "ingest:\n  subscriptions:\n    - {format: json, topic: \"a/{park}/{site}/{device}\"}\n"
                    + "    - {format: json, topic: \"b/{park}/{site}/{device}\"}\n")
                == [
                    fixture.issue(
                        4, 16, "ingest.subscriptions[1].format",
                        "a second json subscription: JSON messages have one topic pattern, and ingest.subscriptions[0] "
                            + "gives it; list one json subscription at most")
                ])
        #expect(
            fixture.issues(
                "ingest:\n  topic_pattern: \"a/{park}/{site}/{device}\"\n  subscriptions:\n"
                    + "    - {format: line, topic: \"b/{park}/{site}/{device}\"}\n")
                == [
                    fixture.issue(
                        2, 18, "ingest.topic_pattern",
                        "topic_pattern and subscriptions cannot both be set: move this pattern into subscriptions as "
                            + #"{format: json, topic: "a/{park}/{site}/{device}"}"#)
                ])
    }

    @Test func aLineSubscriptionThatAnEarlierPatternAlwaysTakesIsAnError() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  subscriptions:\n    - {format: line, topic: \"iiot/{park}/{site}/{device}/telemetry\"}\n")
                == [
                    fixture.issue(
                        3, 29, "ingest.subscriptions[0].topic",
                        "never receives a message: every topic it fits also fits the JSON pattern (no json subscription "
                            + #"is listed), "iiot/{park}/{site}/{device}/telemetry", which is tried first"#)
                ])
        #expect(
            fixture.issues(
                "ingest:\n  subscriptions:\n    - {format: line, topic: \"lp/{park}/{site}/{device}\"}\n"
                    + "    - {format: line, topic: \"lp/p1/{site}/{device}\", park_tag: p}\n"
                    + "    - {format: json, topic: \"{park}/{site}/{device}/x\"}\n"
                    + "    - {format: line, topic: \"a/b/c/x\", park_tag: p, site_tag: s, device_tag: d}\n")
                == [
                    fixture.issue(
                        4, 29, "ingest.subscriptions[1].topic",
                        "never receives a message: every topic it fits also fits ingest.subscriptions[0], "
                            + #""lp/{park}/{site}/{device}", which is tried first"#),
                    fixture.issue(
                        6, 29, "ingest.subscriptions[3].topic",
                        "never receives a message: every topic it fits also fits the json subscription "
                            + #"ingest.subscriptions[2], "{park}/{site}/{device}/x", which is tried first"#),
                ])
        let config = try fixture.parse(
            "ingest:\n  subscriptions:\n    - {format: line, topic: \"lp/p1/{site}/{device}\", park_tag: p}\n"
                + "    - {format: line, topic: \"lp/{park}/{site}/{device}\"}\n"
                + "    - {format: line, topic: \"lp//{site}/{device}\", park_tag: p}\n")
        #expect(config.mqtt.topics == ["lp/p1/+/+", "lp/+/+/+", "lp//+/+"])
    }

    @Test func coversComparesLevelByLevel() {
        #expect(ConfigKeys.covers("a/{park}/{device}", "a/b/{device}"))
        #expect(ConfigKeys.covers("a/{park}/{device}", "a/{site}/{device}"))
        #expect(!ConfigKeys.covers("a/b/{device}", "a/{park}/{device}"))
        #expect(!ConfigKeys.covers("a/{park}/{device}", "a//{device}"))
        #expect(!ConfigKeys.covers("a/{park}/{device}", "a/{park}/{device}/x"))
        #expect(!ConfigKeys.covers("a/b", "a/c"))
    }
}
