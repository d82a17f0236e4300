import Foundation
import Testing

/// `kill -9` at random moments under QoS 1 load: after every restart the gateway recovers from
/// its checkpoint and write-ahead ring, and at the end the merged rollups count every reading
/// the simulator published exactly once (the longer run is `scripts/chaos`).
@Suite("Chaos", .serialized)
struct ChaosTests {
    @Test func killNineRepeatedlyLosesAndDoublesNothing() throws {
        let directory = try TestPaths.makeScratchDirectory("chaos")
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try MosquittoBroker(directory: directory)
        let clientID = "it-chaos-\(getpid())"
        var gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)

        let ledgerURL = directory.appendingPathComponent("ledger.jsonl")
        let simulator = try ChildProcess(try TestPaths.binary("sensors-sim"), [
            "--port", "\(broker.port)", "--seed", "23", "--devices", "40", "--rate", "1500", "--count", "15000",
            "--shapes", "ts,array", "--ledger", ledgerURL.path, "--drain-timeout", "30s",
            "--fault-malformed", "1", "--fault-out-of-range", "1", "--fault-duplicate", "1", "--fault-late", "1",
        ], logURL: directory.appendingPathComponent("sim.log"))

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        while simulator.process.isRunning && kills < 6 {
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            gateway.child.signal(SIGKILL)
            _ = try gateway.child.waitForExit(timeout: 10)
            kills += 1
            gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
            #expect(gateway.child.output.contains("recovery: restored the checkpoint"))
        }
        #expect(kills >= 4, "the simulator finished before enough kills")
        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try SimulatorLedger(url: ledgerURL)
        try waitUntil(timeout: 60, "gateway accepted \(gateway.status()?["readings_accepted"] ?? "no") of \(ledger.acceptedReadings) readings") {
            (gateway.status()?["readings_accepted"] as? Int ?? 0) >= ledger.acceptedReadings
        }
        #expect(try gateway.stop() == 0)

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let counted = tenSecond.values.reduce(0) { $0 + $1.count }
        #expect(counted == ledger.acceptedReadings, "lost or double-counted: \(counted) counted, \(ledger.acceptedReadings) published")
        let differing = ledger.tenSecondWindows.filter { key, expected in !(tenSecond[key]?.differences(from: expected).isEmpty ?? false) }
        #expect(differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))")
        #expect(gateway.status()?["readings_accepted"] as? Int == ledger.acceptedReadings)

        // Every expected quarantine record is there; extras can only be redeliveries after a kill:
        // dropped by seq, or (malformed payloads carry no seq) reported again.
        var extra = try EndToEndTests.quarantineEntries(gateway.dataDirectory.appendingPathComponent("quarantine"))
        for entry in ledger.quarantine {
            guard let index = extra.firstIndex(of: entry) else {
                Issue.record("missing quarantine record \(entry)")
                continue
            }
            extra.remove(at: index)
        }
        #expect(extra.allSatisfy { $0.hasPrefix("duplicate_seq|") || $0.hasPrefix("malformed_payload|") }, "\(extra.prefix(5))")
    }
}
