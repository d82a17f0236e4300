import Foundation
import Testing

/// The operator commands as a person runs them: exit status and what they print.
@Suite("Operator commands")
struct CommandLineTests {
    private func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            try TestPaths.binary("gateway"), arguments,
            logURL: directory.appendingPathComponent("command-\(UUID().uuidString).log"))
        let status = try child.waitForExit(timeout: 30)
        return (status, child.output)
    }

    @Test func checkConfigAcceptsTheShippedConfiguration() throws {
        let directory = try TestPaths.makeScratchDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let shipped = TestPaths.repositoryRoot.appendingPathComponent("config/gateway.yaml").path
        let result = try run(["check-config", shipped], in: directory)
        #expect(result.status == 0)
        #expect(result.output.contains("\(shipped): OK"))
        #expect(result.output.contains("catalogue   14 metrics (10 gauges, 3 counters, 1 state), strict"))
        #expect(result.output.contains("tiers       10s, 1m, 1h"))
    }

    @Test func checkConfigNamesFileLineKeyAndExpectation() throws {
        let directory = try TestPaths.makeScratchDirectory("check-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("bad.yaml")
        try "mqtt:\n  port: abc\n  qso: 1\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try run(["check-config", config.path], in: directory)
        #expect(result.status == 2)
        #expect(result.output.contains("\(config.path):2:9: mqtt.port: expected an integer from 1 to 65535, got \"abc\""))
        #expect(result.output.contains("\(config.path):3:3: mqtt.qso: unknown key"))
        let runResult = try run(["run", "--config", config.path], in: directory)
        #expect(runResult.status == 2)
    }

    @Test func tailFiltersAndFormatsRollups() throws {
        let directory = try TestPaths.makeScratchDirectory("tail")
        defer { try? FileManager.default.removeItem(at: directory) }
        let rollups = directory.appendingPathComponent("data/rollups")
        try FileManager.default.createDirectory(at: rollups, withIntermediateDirectories: true)
        let lines = [
            #"{"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my","site":"f03","device":"mch-0063","metric":"power_kw","kind":"gauge","unit":"kW","count":4,"sum":1223.07,"min":286.84,"max":333.77,"mean":305.7675,"m2":1214.93,"first":{"ts":"2026-11-22T00:16:55.429Z","v":305.19},"last":{"ts":"2026-11-22T00:16:59.029Z","v":297.27},"complete":true}"#,
            #"{"tier":"1m","start":"2026-11-22T00:16:00.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my","site":"f03","device":"mch-0063","metric":"power_kw","kind":"gauge","unit":"kW","count":4,"sum":1223.07,"min":286.84,"max":333.77,"mean":305.7675,"m2":1214.93,"first":{"ts":"2026-11-22T00:16:55.429Z","v":305.19},"last":{"ts":"2026-11-22T00:16:59.029Z","v":297.27},"complete":false}"#,
            #"{"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my","site":"f03","device":"mch-0063","metric":"machine_state","kind":"state","unit":"","count":4,"state_count":{"running":4},"state_ms":{"running":4571},"first":{"ts":"2026-11-22T00:16:55.429Z","v":"running"},"last":{"ts":"2026-11-22T00:16:59.029Z","v":"running"},"complete":true}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(
            to: rollups.appendingPathComponent("rollups.jsonl"), atomically: true, encoding: .utf8)
        let dataDir = directory.appendingPathComponent("data").path

        let json = try run(["tail", "--data-dir", dataDir, "--no-follow", "--json", "--tier", "10s"], in: directory)
        #expect(json.status == 0)
        #expect(json.output.split(separator: "\n").map(String.init) == [lines[0], lines[2]])

        let table = try run(["tail", "--data-dir", dataDir, "--no-follow", "--metric", "power_kw"], in: directory)
        let rows = table.output.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("END (UTC)"))
        #expect(rows[1].contains("mean 306 kW  min 287  max 334"))
        #expect(rows[2].contains("1m") && rows[2].hasSuffix("*incomplete"))

        let state = try run(["tail", "--data-dir", dataDir, "--no-follow", "--metric", "machine_state"], in: directory)
        #expect(state.output.contains("running 4.6s"))
    }
}
