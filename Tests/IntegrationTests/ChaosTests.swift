import Foundation
import Testing

/// `kill -9` at random moments under QoS 1 load: after every restart the gateway recovers from
/// its checkpoint and write-ahead ring, and at the end the merged rollups count every reading
/// the simulator published exactly once, or without `seq` the broker's redeliveries of plain
/// messages again, as reported. `scripts/chaos [--no-seq]` runs these tests longer (`ChaosRun`);
/// each prints a summary line starting with "chaos:".
@Suite("Chaos", .serialized)
struct ChaosTests {
    @Test func killNineRepeatedlyLosesAndDoublesNothing() throws {
        let run = try ChaosRun.fromEnvironment(defaults: ChaosRun(kills: 6, messages: 15_000, rate: 1_500, seed: 23))
        let bed = try BrokerTestBed("chaos")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-chaos-\(getpid())"
        var gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)

        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "\(run.seed)", "--devices", "40", "--rate", "\(run.rate)",
                "--count", "\(run.messages)",
                "--shapes", "ts,array", "--drain-timeout", "30s",
                "--fault-malformed", "1", "--fault-out-of-range", "1", "--fault-duplicate", "1", "--fault-late", "1",
            ])

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        while simulator.isRunning && kills < run.kills {
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            gateway.child.signal(SIGKILL)
            _ = try gateway.child.waitForExit(timeout: 10)
            kills += 1
            gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
            #expect(gateway.child.output.contains("recovery: restored the checkpoint"))
        }
        #expect(kills >= run.minimumKills, "the simulator finished before enough kills")
        #expect(try simulator.waitForExit(timeout: 300) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try simulator.ledger()
        try gateway.waitForReadings(ledger.acceptedReadings)
        #expect(try gateway.stop() == 0)

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let counted = tenSecond.values.reduce(0) { $0 + $1.count }
        let (lost, doubled) = ChaosRun.lostAndExtra(
            expected: ledger.tenSecondWindows.mapValues(\.count),
            counted: tenSecond.mapValues(\.count))
        print(
            "chaos: kills \(kills), messages \(run.messages), readings \(ledger.acceptedReadings), counted \(counted), lost \(lost), double-counted \(doubled)"
        )
        #expect(lost == 0 && doubled == 0, "lost \(lost), double-counted \(doubled) of \(ledger.acceptedReadings) published")
        #expect(counted == ledger.acceptedReadings)
        let differing = ledger.tenSecondWindows.filter { key, expected in
            !(tenSecond[key]?.differences(from: expected).isEmpty ?? false)
        }
        #expect(differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))")
        #expect(gateway.status()?["readings_accepted"] as? Int == ledger.acceptedReadings)

        // Extras can only be redeliveries after a kill: dropped by seq, or (malformed payloads
        // carry no seq) reported again.
        try expectQuarantine(of: gateway, holds: ledger, extrasOnly: ["duplicate_seq", "malformed_payload"])
    }

    /// Without `seq`: a timestamped message the broker redelivers after a kill is quarantined as
    /// `duplicate_payload`, a plain one is counted again, and exactly those readings are reported
    /// as `redelivered_readings`. Plain readings carry the receive time, so the check is per series.
    @Test func killNineWithoutSeqCountsRedeliveries() throws {
        let run = try ChaosRun.fromEnvironment(defaults: ChaosRun(kills: 6, messages: 15_000, rate: 1_500, seed: 29))
        let bed = try BrokerTestBed("chaos-no-seq")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-chaos-no-seq-\(getpid())"
        // fsync always: the ring is synced before the PUBACKs, so kills often leave messages the
        // gateway has unacknowledged, and the broker redelivers them. After a restart the backlog's
        // plain readings (receive time) run seconds ahead of the timestamped ones sent with them:
        // 2 minutes of lateness keeps those from being too_late (the late fault is 10 minutes).
        func startGateway() throws -> GatewayUnderTest {
            try GatewayUnderTest(
                directory: directory, brokerPort: broker.port, clientID: clientID,
                rollupYAML: ["allowed_lateness: 2m"], storageYAML: ["rollup_log:", "  fsync: always"])
        }
        var gateway = try startGateway()

        // Devices 0–19 send plain, ts and array payloads; a plain payload cannot be repeated
        // without seq, so devices 20–39 send timestamped ones only and repeat some byte for byte.
        let common = [
            "--seed", "\(run.seed)", "--no-seq", "--devices", "20", "--rate", "\(run.rate / 2)", "--count", "\(run.messages / 2)",
            "--drain-timeout", "30s", "--fault-malformed", "1", "--fault-late", "1",
        ]
        let simulators = [
            try SimulatorRun(directory: directory, port: broker.port, name: "plain", common + ["--shapes", "plain,ts,array"]),
            try SimulatorRun(
                directory: directory, port: broker.port, name: "timestamped",
                common + ["--first-device", "20", "--shapes", "ts,array", "--fault-duplicate", "1"]),
        ]

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        while simulators.contains(where: \.isRunning) && kills < run.kills {
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            gateway.child.signal(SIGKILL)
            _ = try gateway.child.waitForExit(timeout: 10)
            kills += 1
            gateway = try startGateway()
            #expect(gateway.child.output.contains("recovery: restored the checkpoint"))
        }
        #expect(kills >= run.minimumKills, "the simulators finished before enough kills")
        for simulator in simulators {
            #expect(try simulator.waitForExit(timeout: 300) == 0, "simulator failed:\n\(simulator.output)")
        }
        let ledger = try SimulatorLedger(urls: simulators.map(\.ledgerURL))
        #expect(ledger.untimedReadings > 0 && ledger.quarantine.contains { $0.hasPrefix("duplicate_payload|") })
        func uniqueAccepted() -> Int {
            let status = gateway.status()
            return (status?["readings_accepted"] as? Int ?? 0) - (status?["redelivered_readings"] as? Int ?? 0)
        }
        try waitUntil(
            timeout: 60, "gateway accepted \(uniqueAccepted()) of \(ledger.acceptedReadings) readings, redeliveries aside"
        ) {
            uniqueAccepted() >= ledger.acceptedReadings
        }
        #expect(try gateway.stop() == 0)
        let status = try #require(gateway.status())
        let redelivered = try #require(status["redelivered_readings"] as? Int, "status.json has no redelivered_readings")
        #expect(status["readings_accepted"] as? Int == ledger.acceptedReadings + redelivered)

        // Per series, the 10 s windows count every published reading; beyond that only readings
        // of plain messages the broker redelivered, as many as status.json reports.
        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        var counted: [String: Int] = [:]
        for (key, totals) in rollups.windows where key.hasPrefix("10s|") {
            counted[key.split(separator: "|").dropFirst().dropLast().joined(separator: "|"), default: 0] += totals.count
        }
        let (lost, extra) = ChaosRun.lostAndExtra(expected: ledger.seriesReadings, counted: counted)
        let duplicates = (status["quarantined"] as? [String: Any])?["duplicate_payload"] as? Int ?? 0
        print(
            "chaos --no-seq: kills \(kills), messages \(run.messages), readings \(ledger.acceptedReadings), counted \(counted.values.reduce(0, +)), lost \(lost), extra \(extra), redelivered_readings \(redelivered), duplicate_payload quarantined \(duplicates)"
        )
        #expect(lost == 0, "\(lost) readings lost of \(ledger.acceptedReadings)")
        #expect(
            extra == redelivered, "\(extra) readings counted more than published, status.json reports \(redelivered) redelivered")

        // The simulator's own repeats are among the expected records (duplicate_payload); extras
        // can only be redeliveries after a kill (malformed payloads are reported again).
        try expectQuarantine(of: gateway, holds: ledger, extrasOnly: ["duplicate_payload", "malformed_payload"])
    }

    /// Every quarantine record the ledger expects is in the gateway's quarantine log, and any
    /// record beyond them has one of the `extrasOnly` reasons.
    private func expectQuarantine(
        of gateway: GatewayUnderTest, holds ledger: SimulatorLedger, extrasOnly reasons: [String]
    ) throws {
        var extra = try EndToEndTests.quarantineEntries(gateway.dataDirectory.appendingPathComponent("quarantine"))
        for entry in ledger.quarantine {
            guard let index = extra.firstIndex(of: entry) else {
                Issue.record("missing quarantine record \(entry)")
                continue
            }
            extra.remove(at: index)
        }
        #expect(extra.allSatisfy { entry in reasons.contains { entry.hasPrefix($0 + "|") } }, "\(extra.prefix(5))")
    }
}
