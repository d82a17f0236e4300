import Foundation
import Testing

/// Sparkplug B edge nodes of an independent implementation (PyPI pysparkplug, driven by
/// `scripts/sparkplug-edge.py`) publish through Mosquitto into `gateway run`; every figure is
/// checked against that publisher's own ledger, computed without the Telemetry library.
@Suite("Sparkplug B end to end", .serialized)
struct SparkplugEndToEndTests {
    /// Starts the pysparkplug edge nodes with `arguments`; their ledger is `ledger.jsonl` in `directory`.
    static func edgeNodes(_ directory: URL, port: Int, _ arguments: [String]) throws -> (ChildProcess, URL) {
        let ledger = directory.appendingPathComponent("ledger.jsonl")
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/sparkplug-edge.py").path
        let child = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [script, "--host", "127.0.0.1", "--port", "\(port)", "--ledger", ledger.path] + arguments,
            logURL: directory.appendingPathComponent("edge.log"))
        return (child, ledger)
    }

    static func gateway(_ bed: BrokerTestBed, _ name: String) throws -> GatewayUnderTest {
        let gateway = try GatewayUnderTest(
            directory: bed.directory, brokerPort: bed.broker.port, clientID: "it-\(name)-\(getpid())",
            topics: ["spBv1.0/#"], ingestYAML: ["subscriptions:", "  - {format: sparkplug_b, host_id: it-\(name)}"])
        try waitUntil(timeout: 30, "the gateway did not go online:\n\(gateway.child.output.suffix(3000))") {
            gateway.child.output.contains("sparkplug: host online")
        }
        return gateway
    }

    /// Stops the gateway once it has every message of the ledger and `rebirths` rebirth requests
    /// (which come back to it through its `spBv1.0/#` filter), and checks its quarantine log, its
    /// 10 s windows and its totals against the ledger.
    static func check(_ gateway: GatewayUnderTest, against ledger: SimulatorLedger, rebirths: Int = 0) throws {
        try gateway.waitForMessages(ledger.messages + rebirths, timeout: 120)
        #expect(try gateway.stop() == 0, "gateway did not exit cleanly:\n\(gateway.child.output.suffix(3000))")
        let quarantine = try EndToEndTests.quarantineEntries(gateway.dataDirectory.appendingPathComponent("quarantine"))
        #expect(quarantine == ledger.quarantine.sorted())

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        EndToEndTests.checkTenSecondWindows(rollups, against: ledger)

        let status = try #require(gateway.status())
        #expect(status["readings_accepted"] as? Int == ledger.acceptedReadings)
        #expect(status["messages"] as? Int == ledger.messages + rebirths)
        #expect(status["sparkplug_rebirth_requests"] as? Int == rebirths)
        #expect(status["sparkplug_commands_skipped"] as? Int == rebirths)
    }

    /// Three edge nodes of four devices each, DATA by alias only (no names, no datatypes), the
    /// births' values and several samples of one metric in one message among them.
    @Test func readingsOfPysparkplugEdgeNodesAreCountedOnceAsTheirLedgerSays() throws {
        let bed = try BrokerTestBed("sparkplug-e2e")
        let gateway = try Self.gateway(bed, "spb-e2e")
        let (edge, ledgerURL) = try Self.edgeNodes(
            bed.directory, port: bed.broker.port,
            ["--nodes", "3", "--devices-per-node", "4", "--messages", "3000", "--rate", "1500", "--aliases", "--seed", "11"])
        #expect(try edge.waitForExit(timeout: 300) == 0, "edge nodes failed:\n\(edge.output.suffix(3000))")
        let ledger = try SimulatorLedger(url: ledgerURL)
        #expect(ledger.messages > 3_000 && ledger.acceptedReadings > 5_000)
        #expect(ledger.quarantine.isEmpty)
        try Self.check(gateway, against: ledger)
    }

    /// The edge nodes publish their births before the gateway runs: their first DATA reaches a
    /// gateway that never saw a birth, is quarantined as `sparkplug_not_born`, and the gateway's
    /// rebirth request makes them publish their births again; everything after is read.
    @Test func aGatewayStartedAfterTheBirthsAsksForThemAgainAndReadsWhatFollows() throws {
        let bed = try BrokerTestBed("sparkplug-rebirth-e2e")
        let flag = bed.directory.appendingPathComponent("gateway-ready")
        let (edge, ledgerURL) = try Self.edgeNodes(
            bed.directory, port: bed.broker.port,
            [
                "--nodes", "2", "--devices-per-node", "3", "--messages", "600", "--rate", "600", "--seed", "12",
                "--births-first", "--wait-file", flag.path, "--rebirth-now",
            ])
        try waitUntil(timeout: 240, "the edge nodes did not publish their births:\n\(edge.output.suffix(3000))") {
            guard edge.process.isRunning else { throw TestFailure("edge nodes exited early:\n\(edge.output.suffix(3000))") }
            return edge.output.contains("waiting for")
        }
        let gateway = try Self.gateway(bed, "spb-rebirth")
        _ = FileManager.default.createFile(atPath: flag.path, contents: nil)
        #expect(try edge.waitForExit(timeout: 120) == 0, "edge nodes failed:\n\(edge.output.suffix(3000))")
        let ledger = try SimulatorLedger(url: ledgerURL)
        #expect(ledger.quarantine.count == 2 && ledger.quarantine.allSatisfy { $0.hasPrefix("sparkplug_not_born|") })
        try Self.check(gateway, against: ledger, rebirths: 2)
        #expect(gateway.child.output.contains("sparkplug: rebirth requested from"))
    }

    /// The simulator's fleet in Sparkplug B (`sensors-sim --format sparkplug`): the same faults as
    /// the JSON run, each quarantined with its Sparkplug reason. An unknown metric makes the
    /// gateway ask for a rebirth, which the simulator answers; its births restate nothing.
    @Test func theSimulatorsSparkplugFleetIsCountedOnceAndEveryFaultIsQuarantined() throws {
        let bed = try BrokerTestBed("sparkplug-sim-e2e")
        let gateway = try Self.gateway(bed, "spb-sim")
        let simulator = try SimulatorRun(
            directory: bed.directory, port: bed.broker.port,
            [
                "--seed", "9", "--devices", "48", "--rate", "4000", "--count", "14000", "--format", "sparkplug", "--qos", "1",
                "--shapes", "ts,array,batch", "--readings-per-message", "6", "--fault-malformed", "1",
                "--fault-out-of-range", "1", "--fault-unknown-metric", "1", "--fault-wrong-type", "1",
                "--fault-duplicate", "1", "--fault-late", "1", "--fault-future", "1",
            ])
        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try simulator.ledger()
        let reasons = Set(ledger.quarantine.map { String($0.prefix { $0 != "|" }) })
        #expect(
            reasons == [
                "malformed_payload", "out_of_range", "sparkplug_unknown_metric", "sparkplug_unsupported_type",
                "duplicate_seq", "too_late", "future_timestamp",
            ])
        let answered = try #require(
            simulator.output.firstMatch(of: /rebirth requests (\d+)/).flatMap { Int($0.1) }, "\(simulator.output)")
        #expect(answered > 0)
        try Self.check(gateway, against: ledger, rebirths: answered)
    }
}
