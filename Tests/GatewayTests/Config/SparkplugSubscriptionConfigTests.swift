import Foundation
import Logging
import Telemetry
import Testing

@testable import Gateway

/// The `sparkplug_b` entry of `ingest.subscriptions`: its defaults, what it gives the MQTT
/// client and the pipeline, and every way it can be wrong, each at its file, line, column and key.
@Suite("Sparkplug B subscription config")
struct SparkplugSubscriptionConfigTests {
    private static let head = "ingest:\n  subscriptions:\n"

    @Test func anEntryWithOnlyItsFormatTakesTheWholeNamespaceWithTheDefaultHostID() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(Self.head + "    - format: sparkplug_b\n")
        let host = SparkplugHostSettings()
        #expect(host.topicFilter == "spBv1.0/#" && host.hostID == "telemetry-gateway" && host.rebirthIntervalMillis == 5_000)
        #expect(config.ingest.subscriptions == [.sparkplugB(host)])
        #expect(config.ingest.sparkplugHost == host)
        #expect(config.ingest.topicPattern == TopicPattern.defaultPattern)
        #expect(config.mqtt.topics == ["spBv1.0/#"])
        #expect(host.stateTopic == "spBv1.0/STATE/telemetry-gateway")
    }

    @Test func everyKeySetGivesItsValueAndTheFilterIsSubscribedBesideTheOtherEntries() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(
            Self.head + "    - {format: json, topic: \"iiot/{park}/{site}/{device}/telemetry\"}\n"
                + "    - format: sparkplug_b\n      topic: \"spBv1.0/plant-a/#\"\n      host_id: gw-7\n"
                + "      rebirth_interval: 30s\n"
                + "    - {format: line, topic: \"lp/{park}/{site}/{device}\"}\n")
        var host = SparkplugHostSettings()
        host.topicFilter = "spBv1.0/plant-a/#"
        host.hostID = "gw-7"
        host.rebirthIntervalMillis = 30_000
        #expect(config.ingest.sparkplugHost == host)
        #expect(config.ingest.subscriptions?[1] == .sparkplugB(host))
        #expect(config.mqtt.topics == ["iiot/+/+/+/telemetry", "spBv1.0/plant-a/#", "lp/+/+/+"])
        #expect(host.stateTopic == "spBv1.0/STATE/gw-7")
        #expect(
            config.ingest.subscriptions?[1].summary
                == #"spBv1.0/plant-a/#: host id "gw-7", STATE on spBv1.0/STATE/gw-7, rebirth interval 30s"#)
    }

    @Test func theRuntimeGivesThePipelineTheRebirthIntervalAndNoSparkplugWithoutAnEntry() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(Self.head + "    - {format: sparkplug_b, rebirth_interval: 1500ms}\n")
        let settings = try GatewayRuntime(config: config, logger: Logger(label: "test")).pipelineSettings()
        #expect(settings.sparkplug?.rebirthIntervalMillis == 1_500)
        let plain = try GatewayRuntime(config: try fixture.parse(""), logger: Logger(label: "test")).pipelineSettings()
        #expect(plain.sparkplug == nil)
        #expect(try fixture.parse("").ingest.sparkplugHost == nil)
    }

    @Test func theTopicMustBeAnMQTTFilterInTheSparkplugNamespace() throws {
        let fixture = try ConfigFixture()
        let entry = Self.head + "    - {format: sparkplug_b, topic: "
        #expect(
            fixture.issues(entry + "\"iiot/#\"}\n")
                == [
                    fixture.issue(
                        3, 36, "ingest.subscriptions[0].topic",
                        "expected an MQTT topic filter in the Sparkplug B namespace, starting with spBv1.0/ "
                            + #"(like spBv1.0/# or spBv1.0/plant-a/#), got "iiot/#""#)
                ])
        #expect(
            fixture.issues(entry + "\"spBv1.0\"}\n")
                == [
                    fixture.issue(
                        3, 36, "ingest.subscriptions[0].topic",
                        "expected an MQTT topic filter in the Sparkplug B namespace, starting with spBv1.0/ "
                            + #"(like spBv1.0/# or spBv1.0/plant-a/#), got "spBv1.0""#)
                ])
        #expect(
            fixture.issues(entry + "\"spBv1.0/a#\"}\n")
                == [
                    fixture.issue(
                        3, 36, "ingest.subscriptions[0].topic",
                        #"'#' must be a whole level and the last one (like iiot/#), in "spBv1.0/a#""#)
                ])
        #expect(
            fixture.issues(entry + "\"spBv1.0/{park}/#\"}\n")
                == [
                    fixture.issue(
                        3, 36, "ingest.subscriptions[0].topic",
                        "a sparkplug_b topic is an MQTT filter, not a topic pattern: Sparkplug topics name their group, "
                            + "edge node and device themselves; write + instead of {park} (like spBv1.0/+/NDATA/+)")
                ])
        #expect(
            fixture.issues(entry + "\"\"}\n")
                == [
                    fixture.issue(
                        3, 36, "ingest.subscriptions[0].topic",
                        #"expected an MQTT topic filter like spBv1.0/# or spBv1.0/plant-a/#, got """#)
                ])
    }

    @Test func theHostIDIsANonEmptyTopicLevel() throws {
        let fixture = try ConfigFixture()
        let entry = Self.head + "    - {format: sparkplug_b, host_id: "
        #expect(
            fixture.issues(entry + "\"\"}\n")
                == [
                    fixture.issue(
                        3, 38, "ingest.subscriptions[0].host_id", #"expected a Sparkplug host id like telemetry-gateway, got """#)
                ])
        for bad in ["scada/1", "host+", "#"] {
            #expect(
                fixture.issues(entry + "\"\(bad)\"}\n")
                    == [
                        fixture.issue(
                            3, 38, "ingest.subscriptions[0].host_id",
                            "expected a Sparkplug host id without '+', '/', '#' or NUL (it is one level of the topic "
                                + "spBv1.0/STATE/{host_id}), got \"\(bad)\"")
                    ])
        }
        #expect(
            fixture.issues(entry + "[a]}\n")
                == [
                    fixture.issue(
                        3, 38, "ingest.subscriptions[0].host_id",
                        "expected a Sparkplug host id like telemetry-gateway, got a list")
                ])
    }

    @Test func theRebirthIntervalIsADurationFrom100msTo1h() throws {
        let fixture = try ConfigFixture()
        let entry = Self.head + "    - {format: sparkplug_b, rebirth_interval: "
        #expect(
            fixture.issues(entry + "5}\n")
                == [
                    fixture.issue(
                        3, 47, "ingest.subscriptions[0].rebirth_interval",
                        "expected a duration like 500ms, 10s, 1m, 1h or 1d, got 5 (a number needs a unit, e.g. 5s)")
                ])
        #expect(
            fixture.issues(entry + "10ms}\n")
                == [
                    fixture.issue(
                        3, 47, "ingest.subscriptions[0].rebirth_interval", #"expected a duration from 100ms to 1h, got "10ms""#)
                ])
        #expect(
            fixture.issues(entry + "2h}\n")
                == [
                    fixture.issue(
                        3, 47, "ingest.subscriptions[0].rebirth_interval", #"expected a duration from 100ms to 1h, got "2h""#)
                ])
    }

    @Test func eachFormatRefusesTheKeysOfTheOthersAndUnknownKeysGetASuggestion() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues(Self.head + "    - format: sparkplug_b\n      precision: ms\n      hostid: gw\n")
                == [
                    fixture.issue(
                        4, 7, "ingest.subscriptions[0].precision",
                        "precision is for format: line; a sparkplug_b subscription does not take it"),
                    fixture.issue(5, 7, "ingest.subscriptions[0].hostid", #"unknown key; did you mean "host_id"?"#),
                ])
        #expect(
            fixture.issues(
                Self.head + "    - format: json\n      topic: \"a/{park}/{site}/{device}\"\n      host_id: gw\n"
                    + "    - format: line\n      topic: \"b/{park}/{site}/{device}\"\n      rebirth_interval: 5s\n")
                == [
                    fixture.issue(
                        5, 7, "ingest.subscriptions[0].host_id",
                        "host_id is for format: sparkplug_b; a json subscription does not take it"),
                    fixture.issue(
                        8, 7, "ingest.subscriptions[1].rebirth_interval",
                        "rebirth_interval is for format: sparkplug_b; a line subscription does not take it"),
                ])
    }

    @Test func aSecondSparkplugEntryIsAnError() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues(
                Self.head + "    - {format: sparkplug_b, topic: \"spBv1.0/a/#\"}\n"
                    + "    - {format: sparkplug_b, topic: \"spBv1.0/b/#\", host_id: other}\n")
                == [
                    fixture.issue(
                        4, 16, "ingest.subscriptions[1].format",
                        "a second sparkplug_b subscription: the gateway is one Sparkplug host application, and "
                            + "ingest.subscriptions[0] configures it; list one sparkplug_b subscription at most "
                            + "(its topic filter can take several groups, or spBv1.0/# all of them)")
                ])
    }

    @Test func everyProblemOfAnEntryIsReportedAtOnce() throws {
        let fixture = try ConfigFixture()
        #expect(fixture.issues(Self.head + "    - {format: sparkplug_b, host_id: \"a/b\", rebirth_interval: 1ms}\n").count == 2)
    }
}
