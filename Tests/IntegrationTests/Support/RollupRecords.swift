import Foundation

/// The gateway's rollup records read back from every segment and merged by
/// (tier, series, window start), as an operator's tool would.
struct RollupRecords {
    /// Key: "tier|park|site|device|metric|startMillis".
    var windows: [String: WindowTotals] = [:]
    var lineCount = 0
    var incompleteCount = 0

    init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".jsonl") }
        for name in names {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                guard let record = object as? [String: Any] else { throw TestFailure("rollup line is not an object: \(line)") }
                try add(record, line: String(line))
            }
        }
    }

    private mutating func add(_ record: [String: Any], line: String) throws {
        guard let tier = record["tier"] as? String, let start = record["start"] as? String,
            let park = record["park"] as? String, let site = record["site"] as? String,
            let device = record["device"] as? String, let metric = record["metric"] as? String,
            let count = record["count"] as? Int, let complete = record["complete"] as? Bool,
            let startMillis = ISOTime.millis(start)
        else {
            throw TestFailure("rollup line lacks documented fields: \(line)")
        }
        lineCount += 1
        if !complete { incompleteCount += 1 }
        var totals = WindowTotals()
        totals.count = count
        if let states = record["state_count"] as? [String: Int] {
            totals.stateCounts = states
        } else {
            totals.sum = (record["sum"] as? NSNumber)?.doubleValue ?? .nan
            totals.min = (record["min"] as? NSNumber)?.doubleValue ?? .nan
            totals.max = (record["max"] as? NSNumber)?.doubleValue ?? .nan
        }
        totals.increase = (record["increase"] as? NSNumber)?.doubleValue ?? 0
        totals.resets = record["resets"] as? Int ?? 0
        totals.first = Self.timedValue(record["first"])
        totals.last = Self.timedValue(record["last"])
        if record["kind"] as? String == "gauge" {
            var quantiles: [String: Double] = [:]
            for name in ["p50", "p90", "p95", "p99"] {
                guard let value = (record[name] as? NSNumber)?.doubleValue else {
                    throw TestFailure("gauge record without \(name): \(line)")
                }
                quantiles[name] = value
            }
            guard record["sketch"] is String else { throw TestFailure("gauge record without its sketch: \(line)") }
            totals.quantiles = quantiles
        }
        let key = "\(tier)|\(park)|\(site)|\(device)|\(metric)|\(startMillis)"
        windows[key, default: WindowTotals()].merge(totals)
    }

    private static func timedValue(_ any: Any?) -> (ts: Int64, value: WindowTotals.Value)? {
        guard let object = any as? [String: Any], let ts = (object["ts"] as? String).flatMap(ISOTime.millis),
            let value = WindowTotals.Value(object["v"])
        else { return nil }
        return (ts, value)
    }
}

/// Parses the ISO 8601 timestamps of the record formats, independently of the gateway.
enum ISOTime {
    static func millis(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `millis` as RFC 3339 in UTC with milliseconds.
    static func text(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
