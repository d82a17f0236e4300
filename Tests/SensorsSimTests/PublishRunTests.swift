import Foundation
import Testing

@testable import SensorsSim

@Suite("Publishing to a real Mosquitto", .serialized)
struct PublishRunTests {
    @Test(arguments: [(0, 1), (1, 2), (2, 1)])
    func whatMosquittoSubReceivesIsExactlyWhatTheLedgerListsPerDeviceInOrder(qos: Int, connections: Int) throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        let count = 2000
        let received = broker.directory.appendingPathComponent("received.txt")
        _ = FileManager.default.createFile(atPath: received.path, contents: nil)
        let output = try FileHandle(forWritingTo: received)
        let subscriber = Process()
        subscriber.executableURL = try TestBroker.executable("mosquitto_sub")
        subscriber.arguments = [
            "-p", "\(broker.port)", "-q", "1", "-t", "iiot/#", "-C", "\(count)", "-F", "%t %x", "-i", "sim-test-sub",
        ]
        subscriber.standardOutput = output
        try subscriber.run()
        defer {
            if subscriber.isRunning {
                kill(subscriber.processIdentifier, SIGKILL)
                subscriber.waitUntilExit()
            }
        }
        try broker.waitForLog(containing: "sim-test-sub 1 iiot/#", what: "the subscription")

        let ledgerPath = broker.directory.appendingPathComponent("ledger.jsonl").path
        var settings = MQTTPublisher.Settings()
        settings.port = broker.port
        settings.qos = qos
        settings.connections = connections
        settings.clientID = "sim-test-pub"
        let publisher = MQTTPublisher(settings: settings)
        try publisher.connect()
        defer { publisher.shutdown() }
        let plan = try FaultPlan(percentages: allFaults(2), blockSize: count)
        var factory = MessageFactory(fleet: Fleet(count: 25, seed: 7), options: MessageOptions(), plan: plan, seed: 7)
        let run = PublishRun(rate: 0, count: count, durationSeconds: nil)
        let summary = try run.execute(
            factory: &factory, publisher: publisher, ledger: try Ledger(path: ledgerPath), stop: StopSignal())
        #expect(summary.messages == count)
        #expect(summary.unacknowledged == 0)
        #expect(summary.faults == allFaults(2).mapValues { _ in 40 })

        for _ in 0..<3000 where subscriber.isRunning { usleep(10_000) }
        #expect(!subscriber.isRunning, "mosquitto_sub did not receive \(count) messages in 30 s")
        try output.close()

        var sent: [String: [String]] = [:]
        var ledgerFaults: [String: Int] = [:]
        let ledgerLines = try String(contentsOfFile: ledgerPath, encoding: .utf8).split(separator: "\n")
        #expect(ledgerLines.count == count)
        for line in ledgerLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let topic = try #require(object["topic"] as? String)
            let payload = try #require(object["payload"] as? String)
            sent[topic, default: []].append(payload.utf8.map { String(format: "%02x", $0) }.joined())
            let readings = try #require(object["readings"] as? [[String: Any]])
            let fault = object["fault"] as? String ?? readings.compactMap { $0["fault"] as? String }.first ?? "clean"
            ledgerFaults[fault, default: 0] += 1
        }
        #expect(
            ledgerFaults == [
                "clean": 1720, "malformed_payload": 40, "out_of_range": 40, "unknown_metric": 40, "wrong_type": 40,
                "duplicate_seq": 40, "too_late": 40, "future_timestamp": 40,
            ])
        var got: [String: [String]] = [:]
        let lines = try String(contentsOf: received, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == count)
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            got[parts[0], default: []].append(parts.count > 1 ? parts[1] : "")
        }
        #expect(got.count == 25)
        #expect(got == sent)
    }

    @Test func aStopRequestEndsTheRunEverythingPublishedIsAcknowledgedAndInTheLedger() throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        var settings = MQTTPublisher.Settings()
        settings.port = broker.port
        let publisher = MQTTPublisher(settings: settings)
        try publisher.connect()
        defer { publisher.shutdown() }
        let ledgerPath = broker.directory.appendingPathComponent("ledger.jsonl").path
        var factory = MessageFactory(
            fleet: Fleet(count: 10, seed: 1), options: MessageOptions(), plan: try FaultPlan(percentages: [:]), seed: 1)
        let stop = StopSignal()
        let stopper = Thread {
            usleep(300_000)
            stop.request()
        }
        stopper.start()
        let summary = try PublishRun(rate: 2000, count: nil, durationSeconds: nil).execute(
            factory: &factory, publisher: publisher, ledger: try Ledger(path: ledgerPath), stop: stop)
        #expect(summary.messages > 0)
        #expect(summary.unacknowledged == 0)
        let lines = try String(contentsOfFile: ledgerPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == summary.messages)
    }

    @Test func aRunWithDurationStopsByItself() throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        var settings = MQTTPublisher.Settings()
        settings.port = broker.port
        settings.qos = 0
        let publisher = MQTTPublisher(settings: settings)
        try publisher.connect()
        defer { publisher.shutdown() }
        var factory = MessageFactory(
            fleet: Fleet(count: 10, seed: 1), options: MessageOptions(), plan: try FaultPlan(percentages: [:]), seed: 1)
        let summary = try PublishRun(rate: 500, count: nil, durationSeconds: 0.2).execute(
            factory: &factory, publisher: publisher, ledger: nil, stop: StopSignal())
        #expect(summary.messages > 0 && summary.messages <= 101)
        #expect(summary.unacknowledged == 0)
    }

    @Test func aRefusedConnectionNamesHostPortAndTheSystemsReason() throws {
        let port = try TestBroker.freePort()
        var settings = MQTTPublisher.Settings()
        settings.port = port
        let publisher = MQTTPublisher(settings: settings)
        #expect(throws: SimError("cannot connect to MQTT broker at 127.0.0.1:\(port): Connection refused")) {
            try publisher.connect()
        }
    }

    @Test(arguments: [
        (MQTTPublisher.ProtocolVersion.v5, "Not authorized"),
        (MQTTPublisher.ProtocolVersion.v311, "Connection Refused: not authorised."),
    ])
    func aBrokerThatRefusesTheClientIsNamedWithTheBrokersReason(version: MQTTPublisher.ProtocolVersion, reason: String) throws {
        let broker = try TestBroker(anonymous: false)
        defer { broker.stop() }
        var settings = MQTTPublisher.Settings()
        settings.port = broker.port
        settings.protocolVersion = version
        settings.clientID = "sim-refused"
        let publisher = MQTTPublisher(settings: settings)
        #expect(throws: SimError("MQTT broker at 127.0.0.1:\(broker.port) refused client sim-refused: \(reason)")) {
            try publisher.connect()
        }
    }
}
