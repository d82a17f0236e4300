import Foundation
import Telemetry
import Testing

@testable import Gateway

@Suite("Config loader")
struct ConfigLoaderTests {
    // MARK: - Defaults and the shipped files

    @Test func anEmptyFileGivesEveryDocumentedDefault() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("")
        #expect(config.sourcePath == fixture.configPath)
        #expect(config.mqtt == MQTTSettings())
        #expect(config.ingest == IngestSettings())
        #expect(config.rollup == RollupSettings())
        #expect(config.storage == StorageSettings())
        #expect(config.logging == LoggingSettings())
        #expect(config.catalogue.definitions.map(\.name) == ["temperature_c"])
        #expect(config.catalogue.strict)
    }

    @Test func aFileOfCommentsOnlyIsAllDefaultsToo() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("# nothing set\n\n# still nothing\n")
        #expect(config.mqtt == MQTTSettings())
        #expect(config.rollup == RollupSettings())
    }

    @Test func theDefaultValuesAreTheDocumentedOnes() {
        let mqtt = MQTTSettings()
        #expect(mqtt.host == "127.0.0.1")
        #expect(mqtt.port == 1883)
        #expect(mqtt.protocolVersion == .v311)
        #expect(mqtt.clientID == "telemetry-gateway")
        #expect(mqtt.keepaliveSeconds == 30)
        #expect(mqtt.cleanSession == false)
        #expect(mqtt.qos == 1)
        #expect(mqtt.topics == ["iiot/+/+/+/telemetry"])
        #expect(mqtt.username == nil && mqtt.passwordEnv == nil && mqtt.passwordFile == nil)
        #expect(mqtt.tls == nil)
        #expect(mqtt.reconnectInitialSeconds == 1 && mqtt.reconnectMaxSeconds == 30)
        let ingest = IngestSettings()
        #expect(ingest.topicPattern == "iiot/{park}/{site}/{device}/telemetry")
        #expect(ingest.ringBytes == 67_108_864)
        #expect(ingest.maxPayloadBytes == 65_536)
        #expect(ingest.maxReadingsPerMessage == 1_000)
        #expect(ingest.futureToleranceMillis == 300_000)
        #expect(ingest.dedupWindow == 1_024)
        #expect(ingest.redeliveryWindow == 65_536)
        #expect(ingest.cataloguePath == "metrics.yaml")
        #expect(ingest.strictMetrics)
        let rollup = RollupSettings()
        #expect(rollup.tiers.map(\.name) == ["10s", "1m", "1h"])
        #expect(rollup.tiers.map(\.lengthMillis) == [10_000, 60_000, 3_600_000])
        #expect(rollup.allowedLatenessMillis == 5_000)
        #expect(rollup.stateHorizonMillis == 300_000)
        let storage = StorageSettings()
        #expect(storage.dataDirectory == "data")
        #expect(
            storage.rollupLog
                == LogPolicy(
                    maxSegmentBytes: 67_108_864, maxSegmentAgeMillis: 3_600_000,
                    fsync: .interval(milliseconds: 1_000)))
        #expect(
            storage.quarantineLog
                == LogPolicy(
                    maxSegmentBytes: 16_777_216, maxSegmentAgeMillis: 86_400_000,
                    fsync: .interval(milliseconds: 1_000), retainBytes: 1_073_741_824, retainAgeMillis: 2_592_000_000))
        #expect(storage.quarantineMaxLineBytes == 4_096 && storage.quarantineReadingsPerMessage == 10)
        #expect(storage.quarantinePayloadExcerptBytes == 512)
        #expect(LoggingSettings().level == "info")
        #expect(LoggingSettings().statusIntervalSeconds == 10)
    }

    @Test func theShippedGatewayYAMLLoadsWithNoIssueAndEqualsTheDefaults() throws {
        let path = ConfigFixture.repositoryRoot + "/config/gateway.yaml"
        let config = try ConfigLoader.load(path: path)
        let defaults = GatewayConfig.defaults(catalogue: config.catalogue)
        #expect(config.mqtt == defaults.mqtt)
        #expect(config.ingest == defaults.ingest)
        #expect(config.rollup == defaults.rollup)
        #expect(config.storage == defaults.storage)
        #expect(config.logging == defaults.logging)
        #expect(config.sourcePath == path)
        #expect(config.catalogue.definitions == MetricCatalogueLoaderTests.defaultDefinitions)
        #expect(config.catalogue.strict)
    }

    @Test func everyKeyIsInTheShippedGatewayYAMLOnlyUnsetByDefaultOnesCommentedOut() throws {
        let text = try String(
            contentsOfFile: ConfigFixture.repositoryRoot + "/config/gateway.yaml", encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.drop { $0 == " " } }
        let activeKeys = Set(
            lines.filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: ":").first })
        let commentedKeys = Set(
            lines.filter { $0.hasPrefix("# ") }.compactMap {
                $0.dropFirst(2).drop { $0 == " " }.split(separator: ":").first
            })
        let unsetByDefault =
            ["username", "password_env", "password_file", "tls", "strict_metrics"] + ConfigKeys.tls.allowedKeys
        let setByDefault =
            (ConfigKeys.sectionNames + ConfigKeys.mqtt.allowedKeys + ConfigKeys.reconnect.allowedKeys
            + ConfigKeys.ingest.allowedKeys + ConfigKeys.rollup.allowedKeys + ConfigKeys.storage.allowedKeys
            + ConfigKeys.rollupLog.allowedKeys + ConfigKeys.logging.allowedKeys).filter { !unsetByDefault.contains($0) }
        #expect(setByDefault.filter { !activeKeys.contains(Substring($0)) } == [])
        #expect(unsetByDefault.filter { !commentedKeys.contains(Substring($0)) } == [])
    }

    @Test func everyValueIsReadNotOnlyTheDefaults() throws {
        let fixture = try ConfigFixture()
        try fixture.write("s3cret\n", to: "mqtt.pass")
        try fixture.write("-----BEGIN CERTIFICATE-----\n", to: "ca.pem")
        let config = try fixture.parse(
            """
            mqtt:
              host: broker.thang-long-ii.local
              port: 8883
              protocol: 3.1.1
              client_id: gw-tl2-01
              keepalive: 1m
              clean_session: true
              qos: 2
              topics: ["iiot/#", "spBv1.0/+/DDATA/+/+"]
              username: gateway
              password_file: mqtt.pass
              tls: {ca_file: ca.pem, insecure: true}
              reconnect: {initial: 2s, max: 2m}
            ingest:
              topic_pattern: "plants/{park}/{site}/{device}"
              ring_size: 64MiB
              max_payload: 128 KiB
              max_readings_per_message: 50
              future_tolerance: 30s
              dedup_window: 4096
              redelivery_window: 0
              strict_metrics: false
            rollup:
              tiers: [1s, 60s, 15m, 1d]
              allowed_lateness: 500ms
              state_horizon: 1h
            storage:
              data_directory: /var/lib/telemetry
              rollup_log: {segment_max: 1GB, segment_max_age: 1d, fsync: always, retain_size: 2TiB, retain_age: 400d}
              quarantine_log: {fsync: interval, fsync_interval: 250ms}
              quarantine_payload_excerpt: 1KiB
            logging:
              level: debug
              status_interval: 0s
            """)
        #expect(config.mqtt.host == "broker.thang-long-ii.local")
        #expect(config.mqtt.port == 8883)
        #expect(config.mqtt.protocolVersion == .v311)
        #expect(config.mqtt.clientID == "gw-tl2-01")
        #expect(config.mqtt.keepaliveSeconds == 60)
        #expect(config.mqtt.cleanSession)
        #expect(config.mqtt.qos == 2)
        #expect(config.mqtt.topics == ["iiot/#", "spBv1.0/+/DDATA/+/+"])
        #expect(config.mqtt.username == "gateway")
        #expect(config.mqtt.passwordFile == fixture.directory + "/mqtt.pass")
        #expect(config.mqtt.tls == TLSSettings(caFile: fixture.directory + "/ca.pem", insecure: true))
        #expect(config.mqtt.reconnectInitialSeconds == 2)
        #expect(config.mqtt.reconnectMaxSeconds == 120)
        #expect(config.ingest.topicPattern == "plants/{park}/{site}/{device}")
        #expect(config.ingest.ringBytes == 67_108_864)
        #expect(config.ingest.maxPayloadBytes == 131_072)
        #expect(config.ingest.maxReadingsPerMessage == 50)
        #expect(config.ingest.futureToleranceMillis == 30_000)
        #expect(config.ingest.dedupWindow == 4_096)
        #expect(config.ingest.redeliveryWindow == 0)
        #expect(config.ingest.strictMetrics == false)
        #expect(config.catalogue.strict == false)
        #expect(config.rollup.tiers.map(\.name) == ["1s", "1m", "15m", "1d"])
        #expect(config.rollup.tiers.map(\.lengthMillis) == [1_000, 60_000, 900_000, 86_400_000])
        #expect(config.rollup.allowedLatenessMillis == 500)
        #expect(config.rollup.stateHorizonMillis == 3_600_000)
        #expect(config.storage.dataDirectory == "/var/lib/telemetry")
        #expect(
            config.storage.rollupLog
                == LogPolicy(
                    maxSegmentBytes: 1_000_000_000, maxSegmentAgeMillis: 86_400_000, fsync: .always,
                    retainBytes: 2 << 40, retainAgeMillis: 400 * 86_400_000))
        #expect(
            config.storage.quarantineLog
                == LogPolicy(
                    maxSegmentBytes: 16 << 20, maxSegmentAgeMillis: 86_400_000,
                    fsync: .interval(milliseconds: 250), retainBytes: 1 << 30, retainAgeMillis: 30 * 86_400_000))
        #expect(config.storage.quarantinePayloadExcerptBytes == 1_024)
        #expect(config.logging.level == "debug")
        #expect(config.logging.statusIntervalSeconds == 0)
        #expect(try config.mqtt.resolvePassword(environment: [:]) == "s3cret")
    }

    @Test func protocolAcceptsBothSpellingsOf5And311() throws {
        let fixture = try ConfigFixture()
        #expect(try fixture.parse("mqtt: {protocol: 5}").mqtt.protocolVersion == .v5)
        #expect("\(MQTTProtocolVersion.v311)" == "3.1.1" && MQTTProtocolVersion.v311.protocolLevel == 4)
        #expect(try fixture.parse("mqtt: {protocol: \"5\"}").mqtt.protocolVersion == .v5)
        #expect(try fixture.parse("mqtt: {protocol: 311}").mqtt.protocolVersion == .v311)
        #expect(try fixture.parse("mqtt: {protocol: \"3.1.1\"}").mqtt.protocolVersion == .v311)
        #expect(
            fixture.issues("mqtt: {protocol: 4}")
                == [fixture.issue(1, 18, "mqtt.protocol", "expected \"5\" or \"3.1.1\", got 4")])
    }

    // MARK: - strict_metrics versus the catalogue's strict

    @Test func withoutStrictMetricsTheCataloguesStrictFlagApplies() throws {
        let fixture = try ConfigFixture(catalogue: "strict: false\n" + ConfigFixture.minimalCatalogue)
        let config = try fixture.parse("")
        #expect(config.catalogue.strict == false)
        #expect(config.ingest.strictMetrics == false)
    }

    @Test func strictMetricsInTheConfigOverridesTheCatalogue() throws {
        let fixture = try ConfigFixture(catalogue: "strict: false\n" + ConfigFixture.minimalCatalogue)
        let config = try fixture.parse("ingest:\n  strict_metrics: true\n")
        #expect(config.catalogue.strict)
        #expect(config.ingest.strictMetrics)
    }

    // MARK: - Each kind of error, exactly

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

    @Test func aPasswordKeyIsRejectedWithWhatToUseInstead() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  username: gw\n  password: hunter2\n")
                == [
                    fixture.issue(
                        3, 3, "mqtt.password",
                        "a password is never read from the config file; set password_env to the name of an "
                            + "environment variable that holds it, or password_file to a file whose first line is it"
                    )
                ])
    }

    @Test func credentialRulesAValidVariableNameOneSourceAndAUserName() throws {
        let fixture = try ConfigFixture()
        try fixture.write("pw\n", to: "pw.txt")
        #expect(
            fixture.issues("mqtt:\n  username: gw\n  password_env: 1PASS\n")
                == [
                    fixture.issue(
                        3, 17, "mqtt.password_env",
                        "expected an environment variable name like GATEWAY_MQTT_PASSWORD (letters, digits and _, not starting with a digit), got \"1PASS\""
                    )
                ])
        #expect(
            fixture.issues("mqtt:\n  username: gw\n  password_env: PW\n  password_file: pw.txt\n")
                == [
                    fixture.issue(
                        4, 18, "mqtt.password_file", "set either password_env or password_file, not both")
                ])
        #expect(
            fixture.issues("mqtt:\n  password_env: PW\n")
                == [
                    fixture.issue(
                        2, 17, "mqtt.password_env", "a password needs a user name; set mqtt.username")
                ])
        #expect(
            fixture.issues("mqtt:\n  username: gw\n  password_file: missing.txt\n")
                == [
                    fixture.issue(
                        3, 18, "mqtt.password_file",
                        "password file not found: \(fixture.directory)/missing.txt")
                ])
    }

    @Test func aTopicPatternWithoutDeviceAndInvalidTopicFilters() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("ingest:\n  topic_pattern: \"iiot/{park}/{site}/telemetry\"\n")
                == [
                    fixture.issue(
                        2, 18, "ingest.topic_pattern",
                        "must contain {park}, {site} and {device}, one segment each; missing {device}")
                ])
        #expect(
            fixture.issues("mqtt:\n  topics: [\"iiot/#\", \"iiot/#/x\"]\n")
                == [
                    fixture.issue(
                        2, 22, "mqtt.topics[1]",
                        "'#' must be a whole level and the last one (like iiot/#), in \"iiot/#/x\"")
                ])
        #expect(
            fixture.issues("mqtt:\n  topics: []\n")
                == [
                    fixture.issue(
                        2, 11, "mqtt.topics", "expected at least one topic filter, got an empty list")
                ])
    }

    @Test func tlsACAIsRequiredFilesMustExistCertificateAndKeyGoTogether() throws {
        let fixture = try ConfigFixture()
        try fixture.write("pem\n", to: "ca.pem")
        try fixture.write("pem\n", to: "client.crt")
        #expect(
            fixture.issues("mqtt:\n  tls:\n    insecure: false\n")
                == [
                    fixture.issue(
                        3, 5, "mqtt.tls",
                        "expected ca_file or ca_path, to check the broker's certificate (TLS is on because the tls section is present)"
                    )
                ])
        #expect(
            fixture.issues("mqtt:\n  tls:\n    ca_file: nope.pem\n")
                == [fixture.issue(3, 14, "mqtt.tls.ca_file", "file not found: \(fixture.directory)/nope.pem")]
        )
        #expect(
            fixture.issues("mqtt:\n  tls:\n    ca_path: ca.pem\n")
                == [
                    fixture.issue(
                        3, 14, "mqtt.tls.ca_path",
                        "expected a directory of CA certificates, got \(fixture.directory)/ca.pem")
                ])
        #expect(
            fixture.issues("mqtt:\n  tls:\n    ca_file: ca.pem\n    cert_file: client.crt\n")
                == [
                    fixture.issue(
                        4, 16, "mqtt.tls.cert_file",
                        "cert_file needs key_file: a client certificate and its private key go together")
                ])
        let config = try fixture.parse("mqtt:\n  tls:\n    ca_path: .\n")
        #expect(config.mqtt.tls == TLSSettings(caPath: fixture.directory + "/."))
    }

    @Test func reconnectMaxMustNotBeBelowInitial() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  reconnect: {initial: 1m, max: 10s}\n")
                == [
                    fixture.issue(
                        2, 33, "mqtt.reconnect.max", "expected max (10s) to be at least initial (60s)")
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
