import Telemetry
import Testing

@testable import Gateway

/// What the declaration order and the cross-key rules decide, pinned: the order keys are
/// listed in "the keys allowed here are …" messages (and suggestions prefer), which must not
/// change when declarations move, and the rules that span keys.
@Suite("Config sections")
struct ConfigSectionReadingTests {
    @Test func allowedKeysInTheOrderUnknownKeyMessagesListThem() {
        #expect(ConfigKeys.sectionNames == ["mqtt", "ingest", "rollup", "storage", "query", "http", "logging"])
        #expect(
            ConfigKeys.mqtt.allowedKeys == [
                "host", "port", "protocol", "client_id", "keepalive", "clean_session", "qos", "topics",
                "username", "password_env", "password_file", "tls", "reconnect",
            ])
        #expect(ConfigKeys.mqtt.forbiddenKeys.keys.sorted() == ["password"])
        #expect(ConfigKeys.tls.allowedKeys == ["ca_file", "ca_path", "cert_file", "key_file", "insecure"])
        #expect(ConfigKeys.reconnect.allowedKeys == ["initial", "max"])
        #expect(
            ConfigKeys.ingest.allowedKeys == [
                "topic_pattern", "subscriptions", "ring_size", "max_payload", "max_readings_per_message",
                "max_topic_bytes", "max_series", "retire_after", "future_tolerance", "dedup_window", "redelivery_window",
                "catalogue",
                "strict_metrics", "max_name_bytes", "accept_retained",
            ])
        #expect(
            ConfigKeys.rollup.allowedKeys == ["tiers", "retention", "allowed_lateness", "state_horizon", "quantile_accuracy"])
        #expect(
            ConfigKeys.storage.allowedKeys == [
                "data_directory", "rollup_log", "quarantine_log", "quarantine_payload_excerpt",
                "quarantine_excerpts_per_second", "quarantine_max_line", "quarantine_readings_per_message",
                "checkpoint_interval",
            ])
        let logPolicyKeys = ["segment_max", "segment_max_age", "fsync", "fsync_interval", "retain_size", "retain_age"]
        #expect(ConfigKeys.rollupLog.allowedKeys == logPolicyKeys)
        #expect(ConfigKeys.quarantineLog.allowedKeys == logPolicyKeys)
        #expect(ConfigKeys.logging.allowedKeys == ["level", "status_interval"])
    }

    @Test func fsyncIntervalAppliesExactlyWhenTheFsyncModeInForceIsInterval() throws {
        let fixture = try ConfigFixture()
        func rollupFsync(_ policy: String) throws -> FsyncPolicy {
            try fixture.parse("storage:\n  rollup_log: {\(policy)}\n").storage.rollupLog.fsync
        }
        #expect(try rollupFsync("fsync_interval: 250ms") == .interval(milliseconds: 250))
        #expect(try rollupFsync("fsync: interval") == .interval(milliseconds: 1_000))
        #expect(try rollupFsync("fsync_interval: 250ms, fsync: interval") == .interval(milliseconds: 250))
        #expect(try rollupFsync("fsync: never, fsync_interval: 250ms") == .never)
        #expect(try rollupFsync("fsync: always") == .always)
        #expect(
            fixture.issues("storage:\n  rollup_log: {fsync: always, fsync_interval: 5ms}\n")
                == [
                    fixture.issue(
                        2, 47, "storage.rollup_log.fsync_interval",
                        "expected a duration from 10ms to 1h, got \"5ms\"")
                ])
    }

    @Test func reconnectOrderIsCheckedOnlyWhenBothDelaysAreValid() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("mqtt:\n  reconnect: {initial: 2h, max: 10s}\n")
                == [
                    fixture.issue(
                        2, 24, "mqtt.reconnect.initial", "expected a duration from 1s to 1h, got \"2h\"")
                ])
        #expect(
            fixture.issues("mqtt:\n  reconnect: {initial: 1m}\n")
                == [
                    fixture.issue(
                        2, 24, "mqtt.reconnect.initial", "expected max (30s) to be at least initial (60s)")
                ])
    }
}
