import Foundation
import SparkplugB
import Testing

@testable import SensorsSim

/// `--format sparkplug` against a real Mosquitto: what a subscriber receives is the ledger, each
/// edge node's messages in `seq` order, and a rebirth request on NCMD is answered.
@Suite("Sparkplug B through a real Mosquitto", .serialized)
struct SparkplugPublishRunTests {
    @Test func aSubscriberGetsEachEdgeNodesBirthsDataAndDeathsInSeqOrderAndARebirthRequestIsAnswered() throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        let received = broker.directory.appendingPathComponent("received.txt")
        _ = FileManager.default.createFile(atPath: received.path, contents: nil)
        let output = try FileHandle(forWritingTo: received)
        let subscriber = Process()
        subscriber.executableURL = try TestBroker.executable("mosquitto_sub")
        subscriber.arguments = ["-p", "\(broker.port)", "-q", "1", "-t", "spBv1.0/#", "-F", "%t %x", "-i", "spb-test-sub"]
        subscriber.standardOutput = output
        try subscriber.run()
        defer {
            if subscriber.isRunning {
                kill(subscriber.processIdentifier, SIGKILL)
                subscriber.waitUntilExit()
            }
        }
        try broker.waitForLog(containing: "spb-test-sub 1 spBv1.0/#", what: "the subscription")

        let plan = try FaultPlan(percentages: allFaults(1), blockSize: 600)
        var factory = MessageFactory(fleet: Fleet(count: 30, seed: 3), options: sparkplugOptions(), plan: plan, seed: 3)
        let edge = try #require(factory.sparkplug)
        var settings = MQTTPublisher.Settings()
        settings.port = broker.port
        settings.connections = 2
        settings.clientID = "spb-test-pub"
        settings.subscriptions = [[], []]
        for (index, node) in edge.nodes.enumerated() { settings.subscriptions[index % 2].append(node.commandTopic) }
        let publisher = MQTTPublisher(settings: settings)
        try publisher.connect()
        defer { publisher.shutdown() }

        // Edge node hoa-lac-hitech/f01 is asked for a rebirth once its first DDATA has arrived.
        let command = broker.directory.appendingPathComponent("ncmd.bin")
        try Data(try SparkplugPayloadEncoder().rebirthRequest(timestamp: 1)).write(to: command)
        let commandTopic = "spBv1.0/hoa-lac-hitech/NCMD/f01"
        let (port, receivedPath, commandPath) = (broker.port, received.path, command.path)
        let mosquittoPub = try TestBroker.executable("mosquitto_pub")
        let asked = StopSignal()
        let asker = Thread {
            for _ in 0..<2000 {
                if let text = try? String(contentsOfFile: receivedPath, encoding: .utf8),
                    text.contains("spBv1.0/hoa-lac-hitech/DDATA/f01/")
                {
                    let process = Process()
                    process.executableURL = mosquittoPub
                    process.arguments = ["-p", "\(port)", "-q", "1", "-t", commandTopic, "-f", commandPath]
                    guard (try? process.run()) != nil else { return }
                    process.waitUntilExit()
                    if process.terminationStatus == 0 { asked.request() }
                    return
                }
                usleep(5_000)
            }
        }
        asker.start()

        let ledgerPath = broker.directory.appendingPathComponent("ledger.jsonl").path
        let summary = try PublishRun(rate: 300, count: 600, durationSeconds: nil).execute(
            factory: &factory, publisher: publisher, ledger: try Ledger(path: ledgerPath), stop: StopSignal())
        #expect(asked.isRequested, "the rebirth request was not sent")
        #expect(summary.rebirthRequests == 1)
        #expect(summary.unacknowledged == 0 && summary.dataMessages == 600)
        #expect(summary.sparkplugControl[.nodeBirth] == 25 && summary.sparkplugControl[.nodeDeath] == 24)

        let ledger = try String(contentsOfFile: ledgerPath, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(ledger.count == summary.messages)
        var lines: [Substring] = []
        for _ in 0..<1000 {
            lines = try String(contentsOf: received, encoding: .utf8).split(separator: "\n")
            if lines.count >= ledger.count + 1 { break }
            usleep(10_000)
        }
        #expect(lines.count == ledger.count + 1)
        #expect(lines.filter { $0.hasPrefix(commandTopic + " ") }.count == 1)

        // The broker keeps each connection's order, so each edge node's messages (all on one
        // connection) arrive in publish order.
        func node(_ topic: some StringProtocol) -> String {
            let levels = topic.split(separator: "/")
            return levels.count > 3 ? "\(levels[1])/\(levels[3])" : String(topic)
        }
        var got: [String: [String]] = [:]
        for line in lines where !line.hasPrefix(commandTopic + " ") {
            got[node(line.prefix { $0 != " " }), default: []].append(String(line))
        }
        var sent: [String: [String]] = [:]
        var faults: [String: [String?]] = [:]
        for entry in ledger {
            let topic = try #require(entry["topic"] as? String)
            sent[node(topic), default: []].append("\(topic) \(try #require(entry["payload"] as? String))")
            faults[node(topic), default: []].append(entry["fault"] as? String)
        }
        #expect(got.count == 24)
        #expect(got == sent)

        for (name, messages) in got {
            var latest: UInt64?
            var births: [(seq: UInt64, bdSeq: SparkplugValueField?)] = []
            for (line, fault) in zip(messages, faults[name] ?? []) {
                let parts = line.split(separator: " ")
                guard fault != "malformed_payload", parts.count == 2, let hex = parts.last else { continue }
                let bytes = stride(from: 0, to: hex.count, by: 2).compactMap {
                    UInt8(hex.dropFirst($0).prefix(2), radix: 16)
                }
                let payload = try SparkplugPayloadDecoder().decode(bytes)
                let type = parts[0].split(separator: "/")[2]
                if type == "NDEATH" {
                    #expect(payload.seq == nil && line == messages.last)
                    #expect(payload.metrics.map(\.name) == ["bdSeq"] && payload.metrics.first?.field == .long(0))
                    continue
                }
                let seq = try #require(payload.seq)
                if type == "NBIRTH" {
                    births.append((seq, payload.metrics.first { $0.name == "bdSeq" }?.field))
                }
                if fault == "duplicate_seq" { continue }
                #expect(seq == latest.map { ($0 + 1) % 256 } ?? 0, "\(name): seq \(seq) after \(String(describing: latest))")
                latest = seq
            }
            #expect(births.first?.seq == 0)
            #expect(births.count == (name == "hoa-lac-hitech/f01" ? 2 : 1), "\(name) births")
            #expect(births.allSatisfy { $0.bdSeq == .long(0) })
        }
    }
}
