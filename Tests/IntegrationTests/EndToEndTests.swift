import Foundation
import Testing

/// Drives the real binaries against a real broker and checks every figure against the
/// simulator's ledger, computed independently of the Telemetry library.
@Suite("End to end", .serialized)
struct EndToEndTests {
    @Test func everyValidReadingIsCountedOnceAndEveryFaultIsQuarantined() throws {
        let bed = try BrokerTestBed("e2e")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: "it-gateway-\(getpid())")

        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "42", "--devices", "48", "--rate", "4000", "--count", "14000",
                "--qos", "1", "--shapes", "ts,array", "--fault-malformed", "1", "--fault-out-of-range", "1",
                "--fault-unknown-metric", "1", "--fault-wrong-type", "1",
                "--fault-duplicate", "1", "--fault-late", "1", "--fault-future", "1",
            ])
        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        try Self.checkAgainstLedger(
            simulator, gateway,
            reasons: [
                "malformed_payload", "out_of_range", "unknown_metric", "wrong_type", "duplicate_seq", "too_late",
                "future_timestamp",
            ])
    }

    /// The same run in InfluxDB line protocol (`sensors-sim --format line`): one topic per site,
    /// the device in a tag, several devices' readings never mixed in one message but several
    /// lines per message; no seq, so repeats are `duplicate_payload`. JSON keeps its subscription.
    @Test func lineProtocolReadingsAreCountedOnceAndEveryFaultIsQuarantined() throws {
        let bed = try BrokerTestBed("e2e-line")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-gateway-line-\(getpid())",
            ingestYAML: [
                "subscriptions:",
                "  - {format: json, topic: \"iiot/{park}/{site}/{device}/telemetry\"}",
                "  - {format: line, topic: \"iiot/{park}/{site}/line\", device_tag: device, precision: ms}",
            ])
        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "7", "--devices", "48", "--rate", "4000", "--count", "14000", "--format", "line",
                "--qos", "1", "--shapes", "ts,array,batch", "--readings-per-message", "6", "--fault-malformed", "1",
                "--fault-out-of-range", "1", "--fault-unknown-metric", "1", "--fault-wrong-type", "1",
                "--fault-duplicate", "1", "--fault-late", "1", "--fault-future", "1",
            ])
        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        try Self.checkAgainstLedger(
            simulator, gateway,
            reasons: [
                "malformed_payload", "out_of_range", "unknown_metric", "wrong_type", "duplicate_payload", "too_late",
                "future_timestamp",
            ])
    }

    /// Checks a finished run against the simulator's ledger: the quarantine log holds exactly
    /// the injected faults (each of `reasons` at least once), every tier the ledger's aggregates,
    /// every gauge window its quantiles within α, and the status the ledger's counts.
    static func checkAgainstLedger(_ simulator: SimulatorRun, _ gateway: GatewayUnderTest, reasons: [String]) throws {
        let ledger = try simulator.ledger()
        #expect(ledger.messages == 14_000)
        #expect(ledger.acceptedReadings >= 50_000)
        #expect(ledger.untimedReadings == 0)
        try gateway.waitForMessages(ledger.messages, timeout: 120)
        #expect(try gateway.stop() == 0, "gateway did not exit cleanly:\n\(gateway.child.output.suffix(3000))")

        // Every injected fault kind occurred, and the quarantine log holds exactly those.
        let expectedQuarantine = ledger.quarantine.sorted()
        for reason in reasons {
            #expect(expectedQuarantine.contains { $0.hasPrefix(reason + "|") }, "no \(reason) fault was injected")
        }
        let quarantine = try Self.quarantineEntries(gateway.dataDirectory.appendingPathComponent("quarantine"))
        #expect(quarantine.count == expectedQuarantine.count)
        #expect(quarantine == expectedQuarantine)

        let rollups = try RollupRecords(directory: gateway.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = Self.checkTenSecondWindows(rollups, against: ledger)

        // The 1 m and 1 h tiers agree with the 10 s tier merged into them.
        for (tier, length) in [("1m", Int64(60_000)), ("1h", Int64(3_600_000))] {
            var merged: [String: WindowTotals] = [:]
            for (key, totals) in tenSecond {
                var parts = key.split(separator: "|").map(String.init)
                guard let start = Int64(parts[5]) else { continue }
                parts[0] = tier
                parts[5] = "\(start - ((start % length) + length) % length)"
                merged[parts.joined(separator: "|"), default: WindowTotals()].merge(totals)
            }
            // Windows holding only carried-over machine-state time have no readings to compare.
            let coarse = rollups.windows.filter { $0.key.hasPrefix(tier + "|") && $0.value.count > 0 }
            #expect(Set(coarse.keys) == Set(merged.keys), "tier \(tier)")
            let differing = merged.filter { key, totals in !(coarse[key]?.differences(from: totals).isEmpty ?? false) }
            #expect(differing.isEmpty, "tier \(tier): \(differing.count) windows differ from the merged 10 s windows")
        }

        // Every gauge window written in one record states p50…p99 within α = 1 % of the exact
        // quantile of the ledger's values (element ⌊q · (n − 1)⌋ of them sorted), in every tier.
        var checkedQuantiles = 0
        var quantileMisses: [String] = []
        for (tier, length) in [("10s", Int64(10_000)), ("1m", Int64(60_000)), ("1h", Int64(3_600_000))] {
            var values: [String: [Double]] = [:]
            for (key, totals) in ledger.tenSecondWindows where !totals.gaugeValues.isEmpty {
                var parts = key.split(separator: "|").map(String.init)
                guard let start = Int64(parts[5]) else { continue }
                parts[0] = tier
                parts[5] = "\(start - ((start % length) + length) % length)"
                values[parts.joined(separator: "|"), default: []] += totals.gaugeValues
            }
            for (key, windowValues) in values {
                guard let quantiles = rollups.windows[key]?.quantiles else { continue }
                let sorted = windowValues.sorted()
                for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
                    let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
                    let written = quantiles[name] ?? .nan
                    if !(abs(written - exact) <= 0.01 * abs(exact) * (1 + 1e-9)) {
                        quantileMisses.append("\(key) \(name) \(written) for \(exact)")
                    }
                }
                checkedQuantiles += 1
            }
        }
        #expect(checkedQuantiles >= 100, "gauge windows with their quantiles checked")
        #expect(quantileMisses.isEmpty, "\(quantileMisses.count) quantiles off by more than α: \(quantileMisses.prefix(5))")

        let status = try #require(gateway.status())
        #expect(status["stopped"] as? Bool == true)
        #expect(status["readings_accepted"] as? Int == ledger.acceptedReadings)
        #expect(status["seq_missing"] as? Int == 0)
        #expect(status["messages"] as? Int == ledger.messages)
    }

    /// Checks that the 10 s tier holds every valid reading of the ledger exactly once, with the
    /// ledger's aggregates (windows with no readings, only carried-over machine-state time, are
    /// not in the ledger); returns those windows.
    @discardableResult
    static func checkTenSecondWindows(_ rollups: RollupRecords, against ledger: SimulatorLedger) -> [String: WindowTotals] {
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        #expect(tenSecond.values.reduce(0) { $0 + $1.count } == ledger.acceptedReadings)
        #expect(Set(tenSecond.keys) == Set(ledger.tenSecondWindows.keys))
        var mismatches: [String] = []
        for (key, expected) in ledger.tenSecondWindows {
            let problems = tenSecond[key]?.differences(from: expected) ?? ["missing"]
            if !problems.isEmpty { mismatches.append("\(key): \(problems.joined(separator: "; "))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) windows differ, e.g. \(mismatches.prefix(5))")
        return tenSecond
    }

    /// "reason|topic|metric" for every quarantine record, sorted.
    static func quarantineEntries(_ directory: URL) throws -> [String] {
        var entries: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".jsonl") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let reason = record["reason"] as? String, let topic = record["topic"] as? String
                else {
                    throw TestFailure("quarantine line lacks reason/topic: \(line)")
                }
                entries.append("\(reason)|\(topic)|\(record["metric"] as? String ?? "")")
            }
        }
        return entries.sorted()
    }
}
