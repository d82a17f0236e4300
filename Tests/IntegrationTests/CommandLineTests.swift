import Foundation
import Telemetry
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

    @Test func checkConfigShowsTheSubscriptionsAndTheFiltersMadeFromThem() throws {
        let directory = try TestPaths.makeScratchDirectory("check-subscriptions")
        defer { try? FileManager.default.removeItem(at: directory) }
        let catalogue = TestPaths.repositoryRoot.appendingPathComponent("config/metrics.yaml").path
        let config = directory.appendingPathComponent("gateway.yaml")
        try """
        ingest:
          catalogue: \(catalogue)
          subscriptions:
            - {format: json, topic: "iiot/{park}/{site}/{device}/telemetry"}
            - {format: line, topic: "influx/{park}/{site}", precision: ms, device_tag: host, metric: measurement_field}

        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try run(["check-config", config.path], in: directory)
        #expect(result.status == 0)
        #expect(result.output.contains("topics      iiot/+/+/+/telemetry, influx/+/+\n"))
        #expect(result.output.contains("json        iiot/{park}/{site}/{device}/telemetry\n"))
        #expect(
            result.output.contains(
                #"line        influx/{park}/{site}: precision ms, device tag "host", metric measurement_field"#))
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

    /// A 1-hour rollup line of `values` (a reading a minute) with the sketch fields after `last`,
    /// as a gauge's record carries them; a counter's line without them.
    private static func rollupLine(
        device: String, metric: String, kind: String, hour: Int, values: [Double], sketch: QuantileSketch?
    ) throws -> String {
        let start = String(format: "2026-11-22T%02d:00:00.000Z", hour)
        let end = String(format: "2026-11-22T%02d:00:00.000Z", hour + 1)
        let sum = values.reduce(0, +)
        let mean = sum / Double(values.count)
        let m2 = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let first = try #require(values.first)
        let last = try #require(values.last)
        let lastTime = start.prefix(14) + String(format: "%02d", values.count - 1) + ":00.000Z"
        let fields = [
            "\"tier\":\"1h\"", "\"start\":\"\(start)\"", "\"end\":\"\(end)\"", "\"park\":\"yen-my\"", "\"site\":\"f03\"",
            "\"device\":\"\(device)\"", "\"metric\":\"\(metric)\"", "\"kind\":\"\(kind)\"", "\"unit\":\"kW\"",
            "\"count\":\(values.count)", "\"sum\":\(sum)", "\"min\":\(values.min() ?? 0)", "\"max\":\(values.max() ?? 0)",
            "\"mean\":\(mean)", "\"m2\":\(m2)", "\"first\":{\"ts\":\"\(start)\",\"v\":\(first)}",
            "\"last\":{\"ts\":\"\(lastTime)\",\"v\":\(last)}",
        ]
        var line = "{" + fields.joined(separator: ",") + ","
        if kind == "counter" { line += "\"increase\":\(last - first),\"resets\":0," }
        if let sketch {
            for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
                line += "\"\(name)\":\(try #require(sketch.quantile(q))),"
            }
            line += "\"sketch\":\"\(sketch.encodedText())\","
        }
        return line + "\"complete\":true}"
    }

    private static func sketch(of values: [Double]) throws -> QuantileSketch {
        var sketch = QuantileSketch()
        for value in values { try sketch.add(value) }
        return sketch
    }

    @Test func tailShowsTheMedianAndNinetyNinthPercentileOfGaugesThatCarryThem() throws {
        let directory = try TestPaths.makeScratchDirectory("tail-quantiles")
        defer { try? FileManager.default.removeItem(at: directory) }
        let rollups = directory.appendingPathComponent("data/rollups")
        try FileManager.default.createDirectory(at: rollups, withIntermediateDirectories: true)
        let values = (0..<60).map { minute -> Double in 280 + Double((minute * 23) % 60) }
        let sketch = try Self.sketch(of: values)
        let lines = [
            try Self.rollupLine(device: "m1", metric: "power_kw", kind: "gauge", hour: 0, values: values, sketch: sketch),
            try Self.rollupLine(device: "m2", metric: "power_kw", kind: "gauge", hour: 0, values: values, sketch: nil),
        ]
        try (lines.joined(separator: "\n") + "\n").write(
            to: rollups.appendingPathComponent("rollups.jsonl"), atomically: true, encoding: .utf8)
        let table = try run(
            ["tail", "--data-dir", directory.appendingPathComponent("data").path, "--no-follow"], in: directory)
        #expect(table.status == 0)
        let rows = table.output.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        let p50 = String(format: "%.3g", try #require(sketch.quantile(0.5)))
        let p99 = String(format: "%.3g", try #require(sketch.quantile(0.99)))
        #expect(rows[1].contains("m1") && rows[1].hasSuffix("max 339.0  p50 \(p50)  p99 \(p99)"), "\(rows[1])")
        #expect(rows[2].contains("m2") && rows[2].hasSuffix("max 339.0"), "\(rows[2])")
    }

    @Test func queryAnswersQuantilesOfTheReindexedSketchesAndNullForACounter() throws {
        let directory = try TestPaths.makeScratchDirectory("query-quantiles")
        defer { try? FileManager.default.removeItem(at: directory) }
        let dataDirectory = directory.appendingPathComponent("data")
        let rollups = dataDirectory.appendingPathComponent("rollups")
        try FileManager.default.createDirectory(at: rollups, withIntermediateDirectories: true)
        var lines: [String] = []
        var all: [Double] = []
        for hour in 0..<3 {
            for (index, device) in ["m1", "m2"].enumerated() {
                let scale = Double(index * 9 + 1)
                let values = (0..<60).map { minute -> Double in Double((minute * 37 + hour * 11) % 60) * scale + 5 }
                all += values
                lines.append(
                    try Self.rollupLine(
                        device: device, metric: "power_kw", kind: "gauge", hour: hour, values: values,
                        sketch: Self.sketch(of: values)))
            }
            let energy = (0..<60).map { minute -> Double in 1000 + Double(hour * 60 + minute) }
            lines.append(
                try Self.rollupLine(device: "m1", metric: "energy_kwh", kind: "counter", hour: hour, values: energy, sketch: nil))
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: rollups.appendingPathComponent("rollups.jsonl"), atomically: true, encoding: .utf8)
        let options = ["--data-dir", dataDirectory.path, "--config", directory.appendingPathComponent("none.yaml").path]
        let reindex = try run(["reindex"] + options, in: directory)
        #expect(reindex.status == 0 && reindex.output.contains("indexed 9 rollup records"), "\(reindex.output)")
        #expect(reindex.output.contains("0 records indexed without their unreadable sketch"), "\(reindex.output)")

        let range = ["--from", "2026-11-22T00:00:00Z", "--to", "2026-11-22T03:00:00Z", "--step", "3h", "--group-by", "site"]
        let json = try run(["query"] + options + range + ["--agg", "count,p50,p99,q0.999", "--format", "json"], in: directory)
        #expect(json.status == 0, "\(json.output)")
        let union = try Self.sketch(of: all)
        let (p50, p99, q999) = (
            try #require(union.quantile(0.5)), try #require(union.quantile(0.99)), try #require(union.quantile(0.999))
        )
        #expect(
            json.output.contains("\"count\":360,\"p50\":\(p50),\"p99\":\(p99),\"q0.999\":\(q999),\"complete\":true"),
            "\(json.output)")
        #expect(
            json.output.contains("\"count\":180,\"p50\":null,\"p99\":null,\"q0.999\":null,\"complete\":true"), "\(json.output)")

        let table = try run(["query"] + options + range + ["--metric", "power_kw", "--agg", "p50,p99"], in: directory)
        let rows = table.output.split(separator: "\n").map(String.init)
        #expect(table.status == 0 && rows.count == 2, "\(table.output)")
        #expect(rows.first?.split(separator: " ").suffix(3) == ["count", "p50", "p99"], "\(table.output)")
        #expect(rows.last?.hasSuffix(String(format: "%.3f kW  %.3f kW", p50, p99)) == true, "\(table.output)")

        let refused = try run(["query"] + options + range + ["--agg", "mean,p100"], in: directory)
        #expect(refused.status != 0 && refused.output.contains("--agg: \"p100\" is not an aggregate"), "\(refused.output)")
    }
}
