import Foundation
import Testing

/// A real `gateway run` process with its own configuration and data directory.
final class GatewayUnderTest {
    let directory: URL
    let dataDirectory: URL
    let child: ChildProcess
    /// The loopback port of its HTTP API (each gateway under test gets a free one).
    let apiPort: Int

    /// Writes a configuration for `brokerPort` (with `mqttYAML` lines added under `mqtt:`, and
    /// likewise for the other sections) and
    /// starts the gateway; a second gateway in the same directory reuses the data directory.
    /// `environment` replaces the child's environment when given (e.g. to pass a password
    /// variable); with `waitForSubscription` false it returns as soon as the process runs, for
    /// tests of connections that must fail. `topics` are the MQTT filters subscribed to.
    init(
        directory: URL, brokerPort: Int, clientID: String, topics: [String] = ["iiot/#"], mqttYAML: [String] = [],
        ingestYAML: [String] = [],
        rollupYAML: [String] = [], storageYAML: [String] = [], httpYAML: [String] = [],
        environment: [String: String]? = nil, waitForSubscription: Bool = true
    ) throws {
        self.directory = directory
        dataDirectory = directory.appendingPathComponent("data")
        apiPort = try MosquittoBroker.freeLoopbackPort()
        let catalogue = TestPaths.repositoryRoot.appendingPathComponent("config/metrics.yaml").path
        let yaml = """
            mqtt:
              host: 127.0.0.1
              port: \(brokerPort)
              client_id: \(clientID)
              topics: [\(topics.map { "\"\($0)\"" }.joined(separator: ", "))]
            \(mqttYAML.map { "  " + $0 }.joined(separator: "\n"))
            ingest:
              catalogue: \(catalogue)
            \(ingestYAML.map { "  " + $0 }.joined(separator: "\n"))
            storage:
              data_directory: \(dataDirectory.path)
            \(storageYAML.map { "  " + $0 }.joined(separator: "\n"))
            http:
              listen: 127.0.0.1:\(apiPort)
            \(httpYAML.map { "  " + $0 }.joined(separator: "\n"))
            logging:
              status_interval: 1s
            \(rollupYAML.isEmpty ? "" : "rollup:\n" + rollupYAML.map { "  " + $0 }.joined(separator: "\n"))
            """
        let configURL = directory.appendingPathComponent("gateway.yaml")
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
        child = try ChildProcess(
            try TestPaths.binary("gateway"), ["run", "--config", configURL.path],
            logURL: directory.appendingPathComponent("gateway-\(UUID().uuidString).log"),
            environment: environment)
        guard waitForSubscription else { return }
        try waitUntil(timeout: 30, "gateway did not subscribe; log:\n\(child.output.suffix(3000))") {
            guard child.process.isRunning else { throw TestFailure("gateway exited early:\n\(child.output.suffix(3000))") }
            return child.output.contains("subscribed")
        }
    }

    /// The gateway's `status.json`, or nil before its first write.
    func status() -> [String: Any]? {
        let url = dataDirectory.appendingPathComponent("status.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Waits until the pipeline has processed `messages` messages.
    /// Waits until status.json counts `readings` accepted readings (the ledger's, after a run).
    func waitForReadings(_ readings: Int, timeout: Double = 60) throws {
        try waitUntil(
            timeout: timeout, "gateway accepted \(status()?["readings_accepted"] ?? "no") of \(readings) readings"
        ) {
            (status()?["readings_accepted"] as? Int ?? 0) >= readings
        }
    }

    func waitForMessages(_ messages: Int, timeout: Double) throws {
        try waitUntil(
            timeout: timeout,
            "gateway processed \(status()?["messages"] ?? "no") of \(messages) messages; log:\n\(child.output.suffix(2000))"
        ) {
            guard child.process.isRunning else { throw TestFailure("gateway exited early:\n\(child.output.suffix(3000))") }
            return (status()?["messages"] as? Int ?? 0) >= messages
        }
    }

    /// Waits until every message of `ledger` is processed, stops the gateway and checks the clean
    /// exit and the totals in status.json against the ledger.
    func stopAfterIngesting(
        _ ledger: SimulatorLedger, timeout: Double = 60,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try waitForMessages(ledger.messages, timeout: timeout)
        #expect(try stop() == 0, "gateway did not exit cleanly", sourceLocation: sourceLocation)
        let totals = try #require(self.status(), sourceLocation: sourceLocation)
        #expect(totals["messages"] as? Int == ledger.messages, sourceLocation: sourceLocation)
        #expect(totals["readings_accepted"] as? Int == ledger.acceptedReadings, sourceLocation: sourceLocation)
    }

    /// Sends SIGTERM and returns the exit status.
    func stop() throws -> Int32 {
        child.signal(SIGTERM)
        return try child.waitForExit(timeout: 60)
    }
}
