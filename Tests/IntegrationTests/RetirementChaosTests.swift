import Foundation
import Testing

/// Device retirement under `kill -9`: a population goes silent and is retired while the gateway
/// is killed at random moments, another keeps publishing, then the first comes back as new
/// devices. Every reading is counted exactly once, and each returning counter starts afresh, as
/// `docs/semantics.md` says.
@Suite("Retirement across kill -9", .serialized)
struct RetirementChaosTests {
    @Test func devicesRetiredAcrossKillsLoseAndDoubleNothingAndReturnAsNew() throws {
        let bed = try BrokerTestBed("retire")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-retire-\(getpid())"
        func startGateway() throws -> GatewayUnderTest {
            try GatewayUnderTest(
                directory: directory, brokerPort: broker.port, clientID: clientID, ingestYAML: ["retire_after: 10s"],
                rollupYAML: ["tiers: [10s, 1m]", "state_horizon: 10s"])
        }
        var gateway = try startGateway()
        func publish(_ name: String, devices: ClosedRange<Int>, count: Int, rate: Int) throws -> SimulatorRun {
            try SimulatorRun(
                directory: directory, port: broker.port, name: name,
                [
                    "--seed", "31", "--devices", "\(devices.count)", "--first-device", "\(devices.lowerBound)",
                    "--rate", "\(rate)", "--count", "\(count)", "--shapes", "ts,array", "--drain-timeout", "60s",
                ])
        }
        let early = try publish("early", devices: 0...19, count: 3_000, rate: 300)
        let steady = try publish("steady", devices: 20...39, count: 30_000, rate: 300)

        // Kill at random moments until the early devices have been retired.
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        let deadline = Date().addingTimeInterval(150)
        while (gateway.status()?["devices_retired"] as? Int ?? 0) < 20 {
            guard Date() < deadline else {
                throw TestFailure("the silent devices were not retired: \(gateway.status() ?? [:])")
            }
            if kills < 4 && !early.isRunning {
                usleep(UInt32.random(in: 2_000_000...8_000_000, using: &generator))
                gateway.child.signal(SIGKILL)
                _ = try gateway.child.waitForExit(timeout: 10)
                kills += 1
                gateway = try startGateway()
            } else {
                usleep(200_000)
            }
        }
        #expect(try early.waitForExit(timeout: 60) == 0, "simulator failed:\n\(early.output)")
        let returning = try publish("return", devices: 0...19, count: 1_000, rate: 300)
        #expect(try returning.waitForExit(timeout: 60) == 0, "simulator failed:\n\(returning.output)")
        #expect(try steady.waitForExit(timeout: 200) == 0, "simulator failed:\n\(steady.output)")

        // Each run's ledger on its own: the returning devices' counters start afresh.
        let ledgers = try [early, steady, returning].map { try $0.ledger() }
        var expected: [String: WindowTotals] = [:]
        for ledger in ledgers {
            for (key, window) in ledger.tenSecondWindows {
                #expect(expected[key] == nil, "window \(key) in two runs")
                expected[key] = window
            }
        }
        let accepted = ledgers.reduce(0) { $0 + $1.acceptedReadings }
        try gateway.waitForReadings(accepted, timeout: 90)
        #expect(try gateway.stop() == 0)

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let (lost, doubled) = ChaosRun.lostAndExtra(
            expected: expected.mapValues(\.count), counted: tenSecond.mapValues(\.count))
        print("retirement chaos: kills \(kills), readings \(accepted), lost \(lost), double-counted \(doubled)")
        #expect(kills >= 1)
        #expect(lost == 0 && doubled == 0)
        let differing = expected.filter { key, window in !(tenSecond[key]?.differences(from: window).isEmpty ?? false) }
        #expect(differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))")
        let status = try #require(gateway.status())
        #expect(status["readings_accepted"] as? Int == accepted)
        #expect((status["devices_retired"] as? Int ?? 0) >= 20)
    }
}
