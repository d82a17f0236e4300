import Foundation
import Testing

/// The broker connection's security settings against a real Mosquitto: TLS with server
/// verification, mutual TLS, a refused certificate from the wrong CA, and username/password
/// from Mosquitto's password file — with certificates the test makes itself (`openssl`).
@Suite("Broker security", .serialized)
struct SecurityTests {
    /// Retry quickly so the failure tests see several attempts within seconds.
    private static let fastReconnect = ["reconnect:", "  initial: 1s", "  max: 2s"]

    /// Runs `sensors-sim` to completion against `port` and returns its ledger.
    private func publish(
        port: Int, count: Int, in directory: URL, extra: [String] = [],
        environment: [String: String]? = nil
    ) throws -> SimulatorLedger {
        let ledgerURL = directory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl")
        let simulator = try ChildProcess(
            try TestPaths.binary("sensors-sim"),
            [
                "--port", "\(port)", "--seed", "11", "--devices", "12", "--rate", "2000", "--count", "\(count)",
                "--ledger", ledgerURL.path,
            ] + extra, logURL: directory.appendingPathComponent("sim-\(UUID().uuidString).log"), environment: environment)
        #expect(try simulator.waitForExit(timeout: 60) == 0, "simulator failed:\n\(simulator.output)")
        return try SimulatorLedger(url: ledgerURL)
    }

    /// The process environment plus `extra`.
    private func environment(adding extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    }

    /// A fresh subfolder of `directory`, so a second gateway gets its own config and data.
    private func subdirectory(_ name: String, of directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a Mosquitto password file with `mosquitto_passwd -b` for every (user, password).
    private func makePasswordFile(_ url: URL, users: [(String, String)]) throws {
        let executable = ["/usr/bin/mosquitto_passwd", "/usr/sbin/mosquitto_passwd"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let executable else { throw TestFailure("mosquitto_passwd is not installed (apt-get install mosquitto)") }
        for (index, (user, password)) in users.enumerated() {
            let arguments = (index == 0 ? ["-b", "-c"] : ["-b"]) + [url.path, user, password]
            let run = try ChildProcess(
                URL(fileURLWithPath: executable), arguments,
                logURL: url.deletingLastPathComponent().appendingPathComponent("passwd-\(index).log"))
            #expect(try run.waitForExit(timeout: 10) == 0, "mosquitto_passwd failed: \(run.output)")
        }
        // Read by Mosquitto after it drops root privileges; it holds only salted hashes.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
    }

    /// Waits until `text` occurs `times` times in the gateway's log while it keeps running.
    private func waitForLog(_ gateway: GatewayUnderTest, _ text: String, times: Int, timeout: Double) throws {
        try waitUntil(timeout: timeout, "\"\(text)\" not logged \(times) times; log:\n\(gateway.child.output.suffix(3000))") {
            guard gateway.child.process.isRunning else {
                throw TestFailure("gateway exited early:\n\(gateway.child.output.suffix(3000))")
            }
            return gateway.child.output.components(separatedBy: text).count - 1 >= times
        }
    }

    /// The raw text of the gateway's status.json ("" before its first write).
    private func statusText(_ gateway: GatewayUnderTest) -> String {
        (try? String(contentsOf: gateway.dataDirectory.appendingPathComponent("status.json"), encoding: .utf8)) ?? ""
    }

    @Test func tlsWithServerVerificationIngestsEveryReading() throws {
        let directory = try TestPaths.makeScratchDirectory("tls-server")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory)
        let broker = try MosquittoBroker(directory: directory, extraConfig: certificates.brokerTLSConfig())

        // The listener really speaks only TLS: a plaintext client does not get in.
        let plaintext = try ChildProcess(
            try TestPaths.binary("sensors-sim"), ["--port", "\(broker.port)", "--count", "5"],
            logURL: directory.appendingPathComponent("sim-plaintext.log"))
        #expect(
            try plaintext.waitForExit(timeout: 30) != 0, "a plaintext client published to the TLS listener:\n\(plaintext.output)")

        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-tls-\(getpid())",
            mqttYAML: ["tls:", "  ca_file: \(certificates.caCertificate.path)"])
        #expect(gateway.child.output.contains("tls=true"))
        let ledger = try publish(
            port: broker.port, count: 2_000, in: directory, extra: ["--cafile", certificates.caCertificate.path])
        #expect(ledger.messages == 2_000)
        #expect(ledger.acceptedReadings == 9_332)
        try gateway.stopAfterIngesting(ledger)
    }

    @Test func mutualTLSAdmitsOnlyAClientWithACertificate() throws {
        let directory = try TestPaths.makeScratchDirectory("tls-mutual")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory)
        let broker = try MosquittoBroker(
            directory: directory, extraConfig: certificates.brokerTLSConfig(requireClientCertificate: true))

        // Without a client certificate: refused at the handshake, retried, never subscribed.
        let anonymous = try GatewayUnderTest(
            directory: try subdirectory("no-certificate", of: directory), brokerPort: broker.port,
            clientID: "it-mtls-anonymous-\(getpid())",
            mqttYAML: ["tls:", "  ca_file: \(certificates.caCertificate.path)"] + Self.fastReconnect,
            waitForSubscription: false)
        try waitForLog(anonymous, "certificate required", times: 3, timeout: 30)
        #expect(anonymous.status()?["broker_connected"] as? Bool == false)
        #expect(try anonymous.stop() == 0)
        #expect(!anonymous.child.output.contains("subscribed"))

        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-mtls-\(getpid())",
            mqttYAML: [
                "tls:", "  ca_file: \(certificates.caCertificate.path)",
                "  cert_file: \(certificates.clientCertificate.path)", "  key_file: \(certificates.clientKey.path)",
            ])
        let ledger = try publish(
            port: broker.port, count: 1_500, in: directory,
            extra: [
                "--cafile", certificates.caCertificate.path,
                "--cert", certificates.clientCertificate.path, "--key", certificates.clientKey.path,
            ])
        #expect(ledger.messages == 1_500)
        try gateway.stopAfterIngesting(ledger)
    }

    @Test func aBrokerCertificateFromAnotherCAIsRefusedAndRetried() throws {
        let directory = try TestPaths.makeScratchDirectory("tls-wrong-ca")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory)
        let broker = try MosquittoBroker(directory: directory, extraConfig: certificates.brokerTLSConfig())

        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-wrong-ca-\(getpid())",
            mqttYAML: ["tls:", "  ca_file: \(certificates.unrelatedCACertificate.path)"] + Self.fastReconnect,
            waitForSubscription: false)
        // The gateway names the failure on every attempt, and keeps attempting: the broker sees
        // its handshake rejected ("unknown ca") again and again.
        try waitForLog(gateway, "certificate verify failed", times: 3, timeout: 30)
        try waitUntil(timeout: 10, "the broker saw fewer than 3 refused handshakes:\n\(broker.log)") {
            broker.log.components(separatedBy: "alert unknown ca").count - 1 >= 3
        }
        #expect(gateway.status()?["broker_connected"] as? Bool == false)
        #expect(gateway.child.output.contains("TLS"))
        #expect(try gateway.stop() == 0)
        let log = gateway.child.output
        #expect(!log.contains("subscribed"))
        #expect(!log.contains("connected to MQTT broker"))
        #expect(!log.contains("session_present"))
        #expect(gateway.status()?["broker_connected"] as? Bool == false)
        #expect(gateway.status()?["messages"] as? Int == 0)
    }

    @Test func usernameAndPasswordFromThePasswordFileAreCheckedAndNeverLogged() throws {
        let directory = try TestPaths.makeScratchDirectory("password")
        defer { try? FileManager.default.removeItem(at: directory) }
        let gatewayPassword = "gw-secret-\(UUID().uuidString)"
        let simulatorPassword = "sim-secret-\(UUID().uuidString)"
        let wrongPassword = "wrong-secret-\(UUID().uuidString)"
        let passwordFile = directory.appendingPathComponent("mosquitto.passwd")
        try makePasswordFile(passwordFile, users: [("gateway", gatewayPassword), ("simulator", simulatorPassword)])
        let broker = try MosquittoBroker(
            directory: directory, extraConfig: ["password_file \(passwordFile.path)", "allow_anonymous false"])

        // The right password, from the environment variable named by password_env.
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-password-\(getpid())",
            mqttYAML: ["username: gateway", "password_env: GATEWAY_IT_MQTT_PASSWORD"],
            environment: environment(adding: ["GATEWAY_IT_MQTT_PASSWORD": gatewayPassword]))
        let ledger = try publish(
            port: broker.port, count: 1_500, in: directory, extra: ["--username", "simulator"],
            environment: environment(adding: ["SIM_MQTT_PASSWORD": simulatorPassword]))
        #expect(ledger.messages == 1_500)
        try gateway.stopAfterIngesting(ledger)

        // A wrong password, from the file named by password_file: refused, retried, clearly logged.
        let wrongDirectory = try subdirectory("wrong-password", of: directory)
        let wrongPasswordFile = wrongDirectory.appendingPathComponent("password.txt")
        try (wrongPassword + "\n").write(to: wrongPasswordFile, atomically: true, encoding: .utf8)
        let refused = try GatewayUnderTest(
            directory: wrongDirectory, brokerPort: broker.port, clientID: "it-wrong-password-\(getpid())",
            mqttYAML: ["username: gateway", "password_file: \(wrongPasswordFile.path)"] + Self.fastReconnect,
            waitForSubscription: false)
        try waitForLog(refused, "not authorised", times: 3, timeout: 30)
        #expect(refused.status()?["broker_connected"] as? Bool == false)
        #expect(try refused.stop() == 0)
        #expect(!refused.child.output.contains("subscribed"))

        // No password ever reaches a log line or status.json.
        for (name, text) in [
            ("log", gateway.child.output), ("status.json", statusText(gateway)),
            ("wrong-password log", refused.child.output), ("wrong-password status.json", statusText(refused)),
        ] {
            #expect(!text.isEmpty, "\(name) is empty")
            let leaked = [gatewayPassword, simulatorPassword, wrongPassword].filter { text.contains($0) }
            #expect(leaked.isEmpty, "\(name) contains \(leaked.count) password(s)")
        }
    }
}
