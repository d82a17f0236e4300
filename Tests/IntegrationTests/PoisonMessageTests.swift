import Foundation
import Testing

/// Messages that stop or skew a real gateway: one that makes the pipeline trap (through the
/// test hook `GATEWAY_TEST_CRASH_ON_PAYLOAD`), and the broker's retained copy re-sent on every
/// subscribe.
@Suite("Poison and retained messages", .serialized)
struct PoisonMessageTests {
    static let marker = "POISON-7f3a"

    /// The gateway dies on the marked message, dies again replaying it, and the third start
    /// quarantines it as poison_message; every other reading is counted exactly once.
    @Test func aMessageThatStopsTheGatewayTwiceIsQuarantinedAndIngestionGoesOn() throws {
        let bed = try BrokerTestBed("poison")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-poison-\(getpid())"
        var environment = ProcessInfo.processInfo.environment
        environment["GATEWAY_TEST_CRASH_ON_PAYLOAD"] = Self.marker
        environment["SWIFT_BACKTRACE"] = "enable=no"
        var gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: clientID,
            environment: environment)
        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "47", "--devices", "20", "--rate", "600", "--count", "4000",
                "--shapes", "ts,array", "--drain-timeout", "60s",
            ])
        try gateway.waitForMessages(1_000, timeout: 60)

        let poisonTopic = "iiot/poison-park/s1/trap-01/telemetry"
        try SystemTool.run(
            "mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", poisonTopic,
                "-m", "{\"temperature_c\":21.5,\"note\":\"\(Self.marker)\"}",
            ])
        #expect(try gateway.child.waitForExit(timeout: 30) != 0)
        #expect(gateway.child.output.contains("test hook GATEWAY_TEST_CRASH_ON_PAYLOAD"))

        gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: clientID,
            environment: environment, waitForSubscription: false)
        #expect(try gateway.child.waitForExit(timeout: 60) != 0, "the replay did not stop the gateway again")
        #expect(gateway.child.output.contains("recovery: the previous process stopped while ingesting the message"))

        gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: clientID,
            environment: environment)
        try waitUntil(timeout: 30, "no poison message quarantined:\n\(gateway.child.output.suffix(3000))") {
            gateway.child.output.contains("poison message quarantined")
        }

        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try simulator.ledger()
        try gateway.waitForReadings(ledger.acceptedReadings)
        #expect(try gateway.stop() == 0)
        let status = try #require(gateway.status())
        #expect(status["readings_accepted"] as? Int == ledger.acceptedReadings)
        let quarantined = try #require(status["quarantined"] as? [String: Int])
        #expect(quarantined["poison_message"] == 1)

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        #expect(tenSecond.values.reduce(0) { $0 + $1.count } == ledger.acceptedReadings)
        let differing = ledger.tenSecondWindows.filter { key, expected in
            !(tenSecond[key]?.differences(from: expected).isEmpty ?? false)
        }
        #expect(differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))")

        let lines = try quarantineLines(gateway.dataDirectory)
        let poison = lines.filter { $0["reason"] as? String == "poison_message" }
        #expect(poison.count == 1)
        #expect(poison.first?["topic"] as? String == poisonTopic)
        #expect((poison.first?["payload"] as? String)?.contains(Self.marker) == true)
        #expect(
            (poison.first?["detail"] as? String)?.hasPrefix("the gateway stopped 2 times while ingesting this message") == true)
    }

    /// A retained message is skipped and counted on every subscribe, and ingested once admitted.
    @Test func retainedMessagesAreSkippedAndCountedUnlessAdmitted() throws {
        let bed = try BrokerTestBed("retained")
        let (directory, broker) = (bed.directory, bed.broker)
        try SystemTool.run(
            "mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-r", "-t", "iiot/p1/s1/retained-01/telemetry",
                "-m", #"{"temperature_c":21.5}"#,
            ])
        for run in 1...2 {
            let gateway = try GatewayUnderTest(
                directory: directory, brokerPort: broker.port, clientID: "it-retained-\(getpid())-\(run)")
            try waitUntil(timeout: 30, "no retained message skipped: \(gateway.status() ?? [:])") {
                (gateway.status()?["retained_skipped"] as? Int ?? 0) >= run
            }
            #expect(try gateway.stop() == 0)
            let status = try #require(gateway.status())
            #expect(status["retained_skipped"] as? Int == run)
            #expect(status["messages"] as? Int == run)
            #expect(status["readings_accepted"] as? Int == 0)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("data"))
        let admitting = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-retained-\(getpid())-3",
            ingestYAML: ["accept_retained: true"])
        try admitting.waitForMessages(1, timeout: 30)
        #expect(try admitting.stop() == 0)
        #expect(admitting.status()?["readings_accepted"] as? Int == 1)
        #expect(admitting.status()?["retained_skipped"] as? Int == 0)
    }

    private func quarantineLines(_ data: URL) throws -> [[String: Any]] {
        let folder = data.appendingPathComponent("quarantine")
        var lines: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".jsonl") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { lines.append(object) }
            }
        }
        return lines
    }
}
