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
        #expect(rollup.quantileAccuracy == 0.01)
        #expect(rollup.retentionMillis == [10_000: 172_800_000, 60_000: 2_592_000_000])
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
            ["topics", "username", "password_env", "password_file", "tls", "topic_pattern", "subscriptions", "strict_metrics"]
            + ConfigKeys.tls.allowedKeys
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
              retention: {1s: 6h, 1m: 90d, 1d: forever}
              allowed_lateness: 500ms
              state_horizon: 1h
              quantile_accuracy: 0.005
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
        #expect(config.rollup.quantileAccuracy == 0.005)
        #expect(config.rollup.retentionMillis == [1_000: 21_600_000, 10_000: 172_800_000, 60_000: 7_776_000_000])
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
}
