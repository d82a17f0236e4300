import Foundation

/// What `sensors-sim --ledger` says it published, and what the gateway should therefore have
/// aggregated and quarantined — computed here, not by the Telemetry library.
struct SimulatorLedger {
    var messages = 0
    var acceptedReadings = 0
    /// Accepted readings without a `ts` (plain shape): the gateway stamps them with their
    /// receive time, so they are in `acceptedReadings` but not in `tenSecondWindows`.
    var untimedReadings = 0
    /// Expected 10 s windows, keyed like `RollupRecords.windows`.
    var tenSecondWindows: [String: WindowTotals] = [:]
    /// Expected quarantine entries as "reason|topic|metric" (metric empty for message-level reasons).
    var quarantine: [String] = []
    /// Accepted readings per series "park|site|device|metric", untimed ones included: what the
    /// rollups must count over all windows when plain readings make per-window checks impossible.
    var seriesReadings: [String: Int] = [:]
    /// The `seq` of every message that carried one (duplicates included), by topic, in order.
    var seqsByTopic: [String: [Int64]] = [:]

    init(url: URL) throws {
        try self.init(urls: [url])
    }

    /// The ledgers of several simulators that share out one fleet (`--first-device`), read as one.
    init(urls: [URL]) throws {
        var previousCounter: [String: Double] = [:]
        for url in urls {
            try read(url, previousCounter: &previousCounter)
        }
    }

    private mutating func read(_ url: URL, previousCounter: inout [String: Double]) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let message = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let topic = message["topic"] as? String
            else {
                throw TestFailure("ledger line is not a message: \(line)")
            }
            messages += 1
            if let seq = (message["seq"] as? NSNumber)?.int64Value { seqsByTopic[topic, default: []].append(seq) }
            if let fault = message["fault"] as? String {
                quarantine.append("\(fault)|\(topic)|")
                continue
            }
            guard let park = message["park"] as? String, let site = message["site"] as? String,
                let device = message["device"] as? String, let readings = message["readings"] as? [[String: Any]]
            else {
                throw TestFailure("ledger message lacks park/site/device/readings: \(line)")
            }
            for reading in readings {
                guard let metric = reading["metric"] as? String else {
                    throw TestFailure("ledger reading without metric: \(line)")
                }
                if let fault = reading["fault"] as? String {
                    quarantine.append("\(fault)|\(topic)|\(metric)")
                    continue
                }
                acceptedReadings += 1
                seriesReadings["\(park)|\(site)|\(device)|\(metric)", default: 0] += 1
                guard let ts = (reading["ts"] as? NSNumber)?.int64Value, let value = WindowTotals.Value(reading["v"]) else {
                    untimedReadings += 1
                    continue
                }
                let series = "\(park)|\(site)|\(device)|\(metric)"
                let start = ts - ((ts % 10_000) + 10_000) % 10_000
                let key = "10s|\(series)|\(start)"
                tenSecondWindows[key, default: WindowTotals()].add(value, at: ts)
                if reading["kind"] as? String == "gauge", case .number(let number) = value {
                    tenSecondWindows[key]?.gaugeValues.append(number)
                }
                if reading["kind"] as? String == "counter", case .number(let number) = value {
                    if let previous = previousCounter[series] {
                        if number >= previous {
                            tenSecondWindows[key]?.increase += number - previous
                        } else {
                            tenSecondWindows[key]?.increase += number
                            tenSecondWindows[key]?.resets += 1
                        }
                    }
                    previousCounter[series] = number
                }
            }
        }
    }
}
