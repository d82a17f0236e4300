/// Renders rollup and quarantine records as aligned table rows for people.
enum RecordTable {
    static let rollupHeader = row(["END (UTC)", "TIER", "PARK", "SITE", "DEVICE", "METRIC", "COUNT", "VALUE"])
    static let quarantineHeader = row(["RECEIVED (UTC)", "REASON", "TOPIC", "DETAIL"], widths: [12, 18, 44])

    /// One rollup as a row; an incomplete window (written at shutdown) is marked with `*`. A gauge
    /// shows its median and 99th percentile when the record carries them (from its sketch), a
    /// counter its rate, a state its availability and longest fault run.
    static func rollupRow(_ record: [String: Any]) -> String {
        let unit = (record["unit"] as? String).map { $0.isEmpty ? "" : " \($0)" } ?? ""
        let count = record["count"].map { "\($0)" } ?? "?"
        var value: String
        switch record["kind"] as? String {
        case "counter":
            value = "+\(number(record["increase"]))\(unit)"
            if let resets = record["resets"] as? Int, resets > 0 { value += "  (\(resets) reset\(resets == 1 ? "" : "s"))" }
            if let rate = record["rate"] as? Double { value += "  \(number(rate))\(unit)/s" }
            value += "  last \(number((record["last"] as? [String: Any])?["v"]))"
        case "state":
            let millis = record["state_ms"] as? [String: Any] ?? [:]
            value = millis.keys.sorted().map { state in
                "\(state) \(String(format: "%.1f", (millis[state] as? Double ?? 0) / 1000))s"
            }.joined(separator: "  ")
            if value.isEmpty { value = "-" }
            if let availability = record["availability"] as? Double {
                value += "  avail \(String(format: "%.1f", availability * 100))%"
            }
            if let longest = record["longest_fault_ms"] as? Double, longest > 0 {
                value += "  longest fault \(String(format: "%.1f", longest / 1000))s"
            }
        default:
            value = "mean \(number(record["mean"]))\(unit)  min \(number(record["min"]))  max \(number(record["max"]))"
            for quantile in ["p50", "p99"] {
                if let figure = record[quantile] { value += "  \(quantile) \(number(figure))" }
            }
        }
        if record["complete"] as? Bool == false { value += "  *incomplete" }
        return row([
            time(record["end"]), string(record["tier"]), string(record["park"]), string(record["site"]),
            string(record["device"]), string(record["metric"]), count, value,
        ])
    }

    static func quarantineRow(_ record: [String: Any]) -> String {
        row(
            [time(record["received"]), string(record["reason"]), string(record["topic"]), string(record["detail"])],
            widths: [12, 18, 44])
    }

    private static func row(_ cells: [String], widths: [Int] = [12, 5, 16, 5, 10, 22, 6]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index < widths.count {
                let width = widths[index]
                let padded =
                    cell.count >= width
                    ? cell
                    : (index == 6
                        ? String(repeating: " ", count: width - cell.count) + cell
                        : cell + String(repeating: " ", count: width - cell.count))
                line += padded + "  "
            } else {
                line += cell
            }
        }
        return line
    }

    /// `2026-11-21T08:02:00.000Z` → `08:02:00.000`.
    private static func time(_ value: Any?) -> String {
        guard let text = value as? String, let t = text.firstIndex(of: "T") else { return string(value) }
        return String(text[text.index(after: t)...].dropLast())
    }

    private static func string(_ value: Any?) -> String {
        value.map { "\($0)" } ?? "-"
    }

    private static func number(_ value: Any?) -> String {
        guard let value = value as? Double else { return string(value) }
        if abs(value) >= 1000 || value == value.rounded() { return String(format: "%.1f", value) }
        return String(format: "%.3g", value)
    }
}
