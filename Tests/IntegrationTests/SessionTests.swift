import Foundation
import Testing

/// The broker connection as operators rely on it: a persistent session that keeps readings
/// published while the gateway is down, and both MQTT protocol versions.
@Suite("MQTT session", .serialized)
struct SessionTests {
    /// Sum of `count` over every 10 s rollup record in `data/rollups`, all segments, all runs.
    private func tenSecondCount(_ gateway: GatewayUnderTest) throws -> Int {
        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        return rollups.windows.filter { $0.key.hasPrefix("10s|") }.values.reduce(0) { $0 + $1.count }
    }

    private func publish(port: Int, count: Int, in directory: URL, extra: [String] = []) throws -> SimulatorLedger {
        let ledgerURL = directory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl")
        let simulator = try ChildProcess(
            try TestPaths.binary("sensors-sim"),
            [
                "--port", "\(port)", "--seed", "7", "--devices", "30", "--rate", "2000", "--count", "\(count)",
                "--ledger", ledgerURL.path,
            ] + extra, logURL: directory.appendingPathComponent("sim-\(UUID().uuidString).log"))
        #expect(try simulator.waitForExit(timeout: 60) == 0, "simulator failed:\n\(simulator.output)")
        return try SimulatorLedger(url: ledgerURL)
    }

    /// The read(2) calls process `pid` has made (`syscr` in /proc/PID/io).
    private func readSyscalls(of pid: Int32) throws -> Int {
        let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("syscr:") })
        return try #require(Int(line.dropFirst("syscr:".count).trimmingCharacters(in: .whitespaces)))
    }

    @Test(arguments: ["3.1.1", "5"])
    func readingsPublishedWhileTheGatewayIsDownArriveWhenItReturns(protocolVersion: String) throws {
        let bed = try BrokerTestBed("session")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-session-\(getpid())"

        // The first run only establishes the persistent subscription, then stops.
        let mqtt = ["protocol: \"\(protocolVersion)\""]
        let first = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID, mqttYAML: mqtt)
        #expect(try first.stop() == 0)

        // Published while no gateway is connected: the broker must queue all of it (QoS 1).
        let ledger = try publish(port: broker.port, count: 3_000, in: directory)
        #expect(ledger.messages == 3_000 && ledger.quarantine.isEmpty)

        let second = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID, mqttYAML: mqtt)
        #expect(second.child.output.contains("session_present=true"))
        try second.waitForMessages(ledger.messages, timeout: 60)
        // The backlog is read through the buffer under libmosquitto (Sources/CMQTTReadBuffer):
        // without it, about four read(2) calls per message. How many messages one read finds
        // depends on how fast the broker sends, so on a loaded machine (CI runs the chaos suites
        // beside this one) it has been 0.6 reads per message, 0.2 on an idle one. The
        // bound is set between that and the unbuffered four.
        let reads = try readSyscalls(of: second.child.process.processIdentifier)
        #expect(reads < ledger.messages * 2, "\(reads) read(2) calls for \(ledger.messages) messages")
        try second.stopAfterIngesting(ledger)
        #expect(try tenSecondCount(second) == ledger.acceptedReadings)
    }

    /// `fsync: always`: the write-ahead ring is msynced before each PUBACK (grouped while the
    /// network loop reads on); the path must deliver every reading exactly once like the others.
    @Test func fsyncAlwaysCountsEveryReadingOnce() throws {
        let bed = try BrokerTestBed("always")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-always-\(getpid())",
            storageYAML: ["rollup_log:", "  fsync: always"])
        let ledger = try publish(port: broker.port, count: 3_000, in: directory)
        try gateway.stopAfterIngesting(ledger)
        #expect(try tenSecondCount(gateway) == ledger.acceptedReadings)
        #expect(!gateway.child.output.contains("msync"), "\(gateway.child.output.suffix(2000))")
    }

    @Test func mqtt311AtQoS0() throws {
        let bed = try BrokerTestBed("v311")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-v311-\(getpid())",
            mqttYAML: ["protocol: \"3.1.1\"", "qos: 0", "clean_session: true"])
        let ledger = try publish(
            port: broker.port, count: 2_000, in: directory, extra: ["--qos", "0", "--mqtt-version", "3.1.1"])
        try gateway.stopAfterIngesting(ledger)
        #expect(try tenSecondCount(gateway) == ledger.acceptedReadings)
    }
}
