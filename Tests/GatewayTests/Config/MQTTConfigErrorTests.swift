import Foundation
import Telemetry
import Testing

@testable import Gateway

/// The errors of `mqtt:`: credentials, TLS files, topic filters and the reconnect delays.
@Suite("MQTT config errors")
struct MQTTConfigErrorTests {
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
}
