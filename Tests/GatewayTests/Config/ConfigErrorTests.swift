import Foundation
import Telemetry
import Testing

@testable import Gateway

/// Each kind of configuration error, with its exact message, line and column.
@Suite("Config errors")
struct ConfigErrorTests {
    @Test func wrongTypeAStringWhereAnIntegerBelongs() throws {
        let fixture = try ConfigFixture()
        let issues = fixture.issues("mqtt:\n  port: abc\n")
        #expect(
            issues == [fixture.issue(2, 9, "mqtt.port", "expected an integer from 1 to 65535, got \"abc\"")])
        #expect(
            issues.first?.description == fixture.configPath
                + ":2:9: mqtt.port: expected an integer from 1 to 65535, got \"abc\"")
    }

    @Test func windowsLineEndingsGiveTheSamePositions() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\r\n  qos: 1\r\n  port: abc\r\n")
                == [fixture.issue(3, 9, "mqtt.port", "expected an integer from 1 to 65535, got \"abc\"")])
        #expect(
            fixture.issues("mqtt:\r\n\tport: 1883\r\n")
                == [
                    fixture.issue(
                        2, 1, "",
                        "invalid YAML: found character that cannot start any token (while scanning for the next token at line 2, column 1); indent with spaces: YAML does not allow tabs"
                    )
                ])
    }

    @Test func wrongTypeAListWhereADurationBelongsAMappingWhereASectionsScalarBelongs() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  keepalive: [30s]\nlogging: verbose\n")
                == [
                    fixture.issue(
                        2, 14, "mqtt.keepalive",
                        "expected a duration like 500ms, 10s, 1m, 1h or 1d, got a list"),
                    fixture.issue(
                        3, 10, "logging",
                        "expected this section to be a mapping of keys (key: value lines), got \"verbose\""),
                ])
        #expect(
            fixture.issues("mqtt:\n  host: {name: x}\n  clean_session: maybe\n")
                == [
                    fixture.issue(2, 9, "mqtt.host", "expected a host name or IP address, got a mapping"),
                    fixture.issue(3, 18, "mqtt.clean_session", "expected true or false, got \"maybe\""),
                ])
        #expect(
            fixture.issues("- mqtt\n")
                == [
                    fixture.issue(
                        1, 1, "", "expected the file to be a mapping of keys (key: value lines), got a list")
                ])
    }

    @Test func anEmptyValueWhereAValueIsRequired() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  port:\n  username:\n")
                == [
                    fixture.issue(
                        2, 8, "mqtt.port", "expected an integer from 1 to 65535, got an empty value")
                ])
    }

    @Test func outOfRangeValuesNameTheRange() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues(
                "mqtt:\n  port: 70000\n  qos: 3\ningest:\n  ring_size: 48MiB\n  dedup_window: 32\n  redelivery_window: -1\n")
                == [
                    fixture.issue(2, 9, "mqtt.port", "expected an integer from 1 to 65535, got 70000"),
                    fixture.issue(3, 8, "mqtt.qos", "expected an integer from 0 to 2, got 3"),
                    fixture.issue(
                        5, 14, "ingest.ring_size", "expected a power of two from 1MiB to 4GiB, got \"48MiB\""),
                    fixture.issue(
                        6, 17, "ingest.dedup_window", "expected an integer from 64 to 65536, got 32"),
                    fixture.issue(
                        7, 22, "ingest.redelivery_window", "expected an integer from 0 to 4194304, got -1"),
                ])
        #expect(
            fixture.issues("mqtt:\n  keepalive: 2s\n")
                == [
                    fixture.issue(
                        2, 14, "mqtt.keepalive", "expected a duration from 5s to 65535s, got \"2s\"")
                ])
        #expect(
            fixture.issues("mqtt:\n  keepalive: 1500ms\n")
                == [
                    fixture.issue(
                        2, 14, "mqtt.keepalive", "expected a whole number of seconds like 30s, got \"1500ms\""
                    )
                ])
    }

    @Test func unknownKeysWithASuggestionWhenOneIsClose() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  prot: 1883\n")
                == [fixture.issue(2, 3, "mqtt.prot", "unknown key; did you mean \"port\"?")])
        #expect(
            fixture.issues("mqt:\n  port: 1883\n")
                == [fixture.issue(1, 1, "mqt", "unknown key; did you mean \"mqtt\"?")])
        #expect(
            fixture.issues("logging:\n  colour: red\n")
                == [
                    fixture.issue(
                        2, 3, "logging.colour",
                        "unknown key; the keys allowed here are level, status_interval")
                ])
        #expect(
            fixture.issues("storage:\n  rollup_log: {fsync: sometimes}\n")
                == [
                    fixture.issue(
                        2, 23, "storage.rollup_log.fsync",
                        "expected interval, always or never, got \"sometimes\"")
                ])
        #expect(
            fixture.issues("logging:\n  level: warn\n")
                == [
                    fixture.issue(
                        2, 10, "logging.level",
                        "expected trace, debug, info, notice, warning, error or critical, got \"warn\"; did you mean warning?"
                    )
                ])
    }

    @Test func badDurationsShowTheAcceptedForms() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  keepalive: 30\n")
                == [
                    fixture.issue(
                        2, 14, "mqtt.keepalive",
                        "expected a duration like 500ms, 10s, 1m, 1h or 1d, got 30 (a number needs a unit, e.g. 30s)"
                    )
                ])
        #expect(
            fixture.issues("rollup:\n  allowed_lateness: 5 secs\n")
                == [
                    fixture.issue(
                        2, 21, "rollup.allowed_lateness",
                        "expected a duration like 500ms, 10s, 1m, 1h or 1d, got \"5 secs\"")
                ])
        #expect(
            fixture.issues("rollup:\n  quantile_accuracy: 0.5\n")
                == [
                    fixture.issue(
                        2, 22, "rollup.quantile_accuracy",
                        "expected a relative accuracy from 0.0001 to 0.1 (0.01 is 1 %), got 0.5")
                ])
        #expect(
            fixture.issues("rollup:\n  quantile_accuracy: 1%\n")
                == [fixture.issue(2, 22, "rollup.quantile_accuracy", "expected a number like 150 or -40.5, got \"1%\"")])
    }

    @Test func badByteSizesShowTheAcceptedForms() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  max_payload: 64 kilobytes\n")
                == [
                    fixture.issue(
                        2, 16, "ingest.max_payload",
                        "expected a size like 512, 64KiB, 32MiB or 1GiB (also KB, MB, GB: powers of 1000), got \"64 kilobytes\""
                    )
                ])
    }

    @Test func tiersMustNestAndAscend() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("rollup:\n  tiers: [10s, 25s, 1h]\n")
                == [
                    fixture.issue(
                        2, 16, "rollup.tiers[1]",
                        "expected a whole multiple of the previous tier 10s so that windows nest, got 25s")
                ])
        #expect(
            fixture.issues("rollup:\n  tiers:\n    - 1m\n    - 10s\n")
                == [
                    fixture.issue(
                        4, 7, "rollup.tiers[1]", "expected tiers from shortest to longest, got 10s after 1m")
                ])
        #expect(
            fixture.issues("rollup:\n  tiers: []\n")
                == [
                    fixture.issue(
                        2, 10, "rollup.tiers", "expected at least one window length, got an empty list")
                ])
        #expect(
            fixture.issues("rollup:\n  tiers: 10s\n")
                == [
                    fixture.issue(
                        2, 10, "rollup.tiers",
                        "expected a list of window lengths like [10s, 1m, 1h], got \"10s\"")
                ])
    }

    @Test func aYAMLSyntaxErrorBecomesAnIssueWithLineAndColumn() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  port: 1883\n   host: x\n")
                == [fixture.issue(3, 8, "", "invalid YAML: mapping values are not allowed in this context")])
        #expect(
            fixture.issues("mqtt:\n  topics: [\"iiot/#\"\n")
                == [
                    fixture.issue(
                        3, 1, "",
                        "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 11)"
                    )
                ])
        #expect(
            fixture.issues("mqtt:\n\tport: 1883\n")
                == [
                    fixture.issue(
                        2, 1, "",
                        "invalid YAML: found character that cannot start any token (while scanning for the next token at line 2, column 1); indent with spaces: YAML does not allow tabs"
                    )
                ])
        #expect(
            fixture.issues("mqtt: {}\n---\nmqtt: {}\n")
                == [
                    fixture.issue(
                        2, 1, "",
                        "invalid YAML: expected a single document in the stream but found another document")
                ])
        #expect(
            fixture.issues("mqtt: &m\n  port: 1883\ningest:\n  <<: *m\n")
                == [
                    fixture.issue(
                        4, 3, "ingest.<<",
                        "YAML merge keys (<<) are not supported; write the keys out in full")
                ])
        #expect(
            fixture.issues("mqtt:\n  port: 1\n  port: 2\n")
                == [
                    fixture.issue(2, 3, "", "duplicate key \"port\": a key may appear only once in a mapping")
                ])
    }

    @Test func aMissingConfigFileIsOneIssue() throws {
        let fixture = try ConfigFixture()
        let path = fixture.directory + "/absent.yaml"
        #expect(throws: ConfigErrors.self) { try ConfigLoader.load(path: path) }
        do {
            _ = try ConfigLoader.load(path: path)
        } catch {
            #expect(error.issues == [ConfigIssue(file: path, key: "", message: "file not found")])
            #expect(error.description == "\(path): file not found")
        }
    }

    @Test func aMissingCatalogueFileIsReportedAtIngestCatalogue() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  catalogue: nope.yaml\n")
                == [
                    fixture.issue(
                        2, 14, "ingest.catalogue",
                        "cannot load the metric catalogue \(fixture.directory)/nope.yaml: file not found")
                ])
        let withoutCatalogue = try ConfigFixture(catalogue: nil)
        #expect(
            withoutCatalogue.issues("")
                == [
                    withoutCatalogue.issue(
                        nil, nil, "ingest.catalogue",
                        "cannot load the metric catalogue \(withoutCatalogue.directory)/metrics.yaml: file not found"
                    )
                ])
    }

    @Test func catalogueErrorsNameTheCatalogueFileAndLineAfterTheConfigsOwn() throws {
        let fixture = try ConfigFixture(catalogue: "metrics:\n  temperature_c: {kind: gauge, max: hot}\n")
        #expect(
            fixture.issues("mqtt:\n  qos: 5\n")
                == [
                    fixture.issue(2, 8, "mqtt.qos", "expected an integer from 0 to 2, got 5"),
                    ConfigIssue(
                        file: fixture.cataloguePath, line: 2, column: 37, key: "metrics.temperature_c.max",
                        message: "expected a number like 150 or -40.5, got \"hot\""),
                ])
    }

    @Test func severalErrorsInOneFileAreAllReportedInFileOrder() throws {
        let fixture = try ConfigFixture()
        let yaml = """
            mqtt:
              port: abc
              prot: 1883
              keepalive: 30
            rollup:
              tiers: [10s, 25s]
            logging:
              level: verbose
            """
        let issues = fixture.issues(yaml)
        #expect(
            issues == [
                fixture.issue(2, 9, "mqtt.port", "expected an integer from 1 to 65535, got \"abc\""),
                fixture.issue(3, 3, "mqtt.prot", "unknown key; did you mean \"port\"?"),
                fixture.issue(
                    4, 14, "mqtt.keepalive",
                    "expected a duration like 500ms, 10s, 1m, 1h or 1d, got 30 (a number needs a unit, e.g. 30s)"
                ),
                fixture.issue(
                    6, 16, "rollup.tiers[1]",
                    "expected a whole multiple of the previous tier 10s so that windows nest, got 25s"),
                fixture.issue(
                    8, 10, "logging.level",
                    "expected trace, debug, info, notice, warning, error or critical, got \"verbose\""),
            ])
        do {
            _ = try fixture.parse(yaml)
            Issue.record("expected the configuration to be rejected")
        } catch {
            #expect(error.description.split(separator: "\n").count == 5)
            #expect(error.description.hasPrefix(fixture.configPath + ":2:9: mqtt.port: "))
        }
    }
}
