import Foundation
import Telemetry
import TelemetryIndex

/// A query result as an aligned table for a terminal: one row per point, the bucket start in
/// the query's time zone, the group's names, count, then each aggregate with its unit
/// (availability as a percentage, the longest fault in ms); `*` marks a point merged from a
/// window cut short.
struct QueryTable {
    let text: String

    init(_ result: QueryResult) {
        let aggregates = result.request.aggregates.filter { $0 != .count }
        let groupFields = result.series.first?.group.fields.map(\.name) ?? ["metric"]
        var rows = [["start (\(result.request.timeZoneName))"] + groupFields + ["count"] + aggregates.map(\.name)]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = result.request.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for series in result.series {
            let names = series.group.fields.map { String(decoding: $0.bytes, as: UTF8.self) }
            for point in series.points {
                let start = formatter.string(from: Date(timeIntervalSince1970: Double(point.start) / 1000))
                var row = [start + (point.merge.complete ? "" : " *")] + names + [String(point.merge.count)]
                row += aggregates.map { Self.cell(point.value(of: $0), aggregate: $0, unit: series.unit) }
                rows.append(row)
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        if rows.count == 1 { lines.append("(no data in this range)") }
        if result.series.contains(where: { $0.points.contains { !$0.merge.complete } }) {
            lines.append("* includes a window cut short (written at a shutdown and not finished)")
        }
        text = lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ value: QueryResult.Point.Value, aggregate: QueryAggregate, unit: String) -> String {
        let suffix = unit.isEmpty ? "" : " " + unit
        switch value {
        case .absent: return "-"
        case .integer(let number): return aggregate == .longestFaultMs ? "\(number)ms" : String(number)
        case .number(let number):
            let text =
                number.magnitude >= 1e6 || (number != 0 && number.magnitude < 1e-3)
                ? String(format: "%.4g", number) : String(format: "%.3f", number)
            switch aggregate {
            case .rate: return text + suffix + "/s"
            case .stddev, .mean, .sum, .min, .max, .increase, .quantile: return text + suffix
            case .availability: return String(format: "%.1f%%", number * 100)
            case .count, .first, .last, .stateMs, .stateShare, .transitions, .longestFaultMs: return text
            }
        case .timed(let timed):
            switch timed.value {
            case .number(let number): return String(format: "%.3f", number) + suffix
            case .state(let name): return String(decoding: name, as: UTF8.self)
            }
        case .perState(let entries):
            return entries.map { entry in
                let name = String(decoding: entry.name, as: UTF8.self)
                return aggregate == .stateMs
                    ? "\(name)=\(Int64(entry.value))ms" : "\(name)=\(String(format: "%.1f", entry.value * 100))%"
            }.joined(separator: " ")
        }
    }
}
