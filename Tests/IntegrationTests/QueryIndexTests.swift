import Foundation
import GRDB
import Testing

/// The query index of a real gateway, read back by independent means: its rows against the
/// rollup log's lines, and `gateway query`'s answers against the simulator's ledger.
@Suite("Query index end to end", .serialized)
struct QueryIndexTests {
    /// One rollup record as the log has it and as the index must hold it.
    private static func key(_ tier: Int64, _ names: [String], _ start: Int64, _ count: Int64, _ complete: Bool) -> String {
        "\(tier)|\(names.joined(separator: "|"))|\(start)|\(count)|\(complete)"
    }

    /// Every rollup line of every segment, as keys.
    private static func logRecords(_ dataDirectory: URL) throws -> [String] {
        let directory = dataDirectory.appendingPathComponent("rollups")
        var keys: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".jsonl") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let start = try #require((record["start"] as? String).flatMap(ISOTime.millis))
                let end = try #require((record["end"] as? String).flatMap(ISOTime.millis))
                let names = ["park", "site", "device", "metric"].map { record[$0] as? String ?? "?" }
                keys.append(
                    key(end - start, names, start, Int64(record["count"] as? Int ?? -1), record["complete"] as? Bool ?? false))
            }
        }
        return keys.sorted()
    }

    /// Every partial row of the index, as keys.
    private static func indexRecords(_ dataDirectory: URL) throws -> [String] {
        let queue = try DatabaseQueue(path: dataDirectory.appendingPathComponent("index.sqlite").path)
        return try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.tier_ms, s.park, s.site, s.device, s.metric, p.start_ms, p.count, p.complete
                    FROM partial p JOIN series s ON s.id = p.series_id
                    """
            ).map { row in
                let names = (1...4).map { String(decoding: row[$0] as Data, as: UTF8.self) }
                return key(row[0], names, row[5], row[6], row[7])
            }
        }.sorted()
    }

    private func query(_ arguments: [String], dataDirectory: URL, in directory: URL) throws -> [String: Any] {
        let child = try ChildProcess(
            try TestPaths.binary("gateway"),
            ["query", "--data-dir", dataDirectory.path, "--format", "json"] + arguments,
            logURL: directory.appendingPathComponent("query-\(UUID().uuidString).log"))
        let status = try child.waitForExit(timeout: 60)
        #expect(status == 0, "gateway query \(arguments): \(child.output.suffix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(child.output.utf8)) as? [String: Any])
    }

    @Test func afterAKillTheIndexEqualsTheLogAndQueriesEqualTheLedger() throws {
        let bed = try BrokerTestBed("query")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-query-\(getpid())"
        let first = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "23", "--devices", "24", "--rate", "1500", "--count", "6000", "--shapes", "ts,array,batch",
                "--fault-out-of-range", "1",
            ])
        try first.waitForMessages(2_500, timeout: 60)
        // Killed between log writes and index writes: the restart recovers the log, and the index
        // must follow it, whatever it had read.
        first.child.signal(SIGKILL)
        _ = try first.child.waitForExit(timeout: 30)
        let second = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        #expect(try simulator.waitForExit(timeout: 120) == 0)
        let ledger = try simulator.ledger()
        #expect(ledger.untimedReadings == 0, "every reading has a ts, so the ledger places it in its window")
        var previous = -1
        try waitUntil(timeout: 60, "the gateway kept receiving") {
            let now = second.status()?["messages"] as? Int ?? 0
            defer { previous = now }
            Thread.sleep(forTimeInterval: 1)
            return now == previous && second.status()?["ring_used_bytes"] as? Int == 0
        }
        #expect(try second.stop() == 0)
        let rollups = try RollupRecords(directory: second.dataDirectory.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") }.values.reduce(0) { $0 + $1.count }
        #expect(tenSecond == ledger.acceptedReadings, "exactly once across the kill")

        let logged = try Self.logRecords(second.dataDirectory)
        let indexed = try Self.indexRecords(second.dataDirectory)
        #expect(indexed.count == logged.count)
        #expect(indexed == logged, "the index holds one row per rollup line, no more, no less")

        // Queries against the ledger's 10 s windows, merged by the test itself.
        let starts = ledger.tenSecondWindows.keys.compactMap { $0.split(separator: "|").last.flatMap { Int64($0) } }
        let from = try #require(starts.min()) - 3_600_000
        let to = try #require(starts.max()) + 3_600_000
        let range = ["--from", ISOTime.text(from), "--to", ISOTime.text(to)]
        let cases: [(group: String, step: String, tz: String, fields: [Int])] = [
            ("device", "10s", "UTC", [0, 1, 2]), ("site", "1m", "UTC", [0, 1]), ("park", "5m", "UTC", [0]),
            ("none", "1h", "UTC", []), ("site", "1d", "Asia/Ho_Chi_Minh", [0, 1]),
        ]
        for (group, step, tz, fields) in cases {
            let stepMillis: Int64 = ["10s": 10_000, "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000][step] ?? 0
            let offset: Int64 = tz == "UTC" ? 0 : 7 * 3_600_000
            var expected: [String: WindowTotals] = [:]
            for (key, totals) in ledger.tenSecondWindows {
                let parts = key.split(separator: "|").map(String.init)  // 10s, park, site, device, metric, start
                guard let start = Int64(parts[5]) else { continue }
                let local = start + offset
                let bucket = local - ((local % stepMillis) + stepMillis) % stepMillis - offset
                let names = fields.map { parts[1 + $0] } + [parts[4]]
                expected["\(names.joined(separator: "|"))|\(bucket)", default: WindowTotals()].merge(totals)
            }
            let answer = try query(
                range + ["--group-by", group, "--step", step, "--tz", tz, "--agg", "count,sum,min,max,increase"],
                dataDirectory: second.dataDirectory, in: directory)
            var answered: [String: (count: Int, sum: Double?, min: Double?, max: Double?, increase: Double?)] = [:]
            for series in answer["series"] as? [[String: Any]] ?? [] {
                let group = series["group"] as? [String: String] ?? [:]
                let names = ["park", "site", "device"].prefix(fields.count).map { group[$0] ?? "?" } + [group["metric"] ?? "?"]
                // A bucket holding only state time carried past the last reading (up to the
                // stop, docs/semantics.md) has no reading the ledger could place.
                for point in series["points"] as? [[String: Any]] ?? [] where point["count"] as? Int != 0 {
                    let start = try #require((point["start"] as? String).flatMap(ISOTime.millis))
                    answered["\(names.joined(separator: "|"))|\(start)"] = (
                        point["count"] as? Int ?? -1, (point["sum"] as? NSNumber)?.doubleValue,
                        (point["min"] as? NSNumber)?.doubleValue, (point["max"] as? NSNumber)?.doubleValue,
                        (point["increase"] as? NSNumber)?.doubleValue
                    )
                }
            }
            #expect(Set(answered.keys) == Set(expected.keys), "\(group) \(step): the same buckets")
            var mismatches: [String] = []
            for (key, totals) in expected {
                guard let point = answered[key] else { continue }
                let close = { (a: Double?, b: Double) in
                    guard let a else { return b.isNaN || b.isInfinite }
                    return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
                }
                let numeric = totals.stateCounts.isEmpty
                if point.count != totals.count
                    || (numeric
                        && !(close(point.sum, totals.sum) && close(point.min, totals.min)
                            && close(point.max, totals.max)))
                {
                    mismatches.append("\(key): \(point) vs \(totals.count) \(totals.sum) \(totals.min) \(totals.max)")
                }
                if let increase = point.increase, !close(increase, totals.increase) {
                    mismatches.append("\(key): increase \(increase) vs \(totals.increase)")
                }
            }
            #expect(mismatches.isEmpty, "\(group) \(step) \(tz): \(mismatches.prefix(5))")
        }
    }
}
