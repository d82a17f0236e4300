import Foundation
import Telemetry

/// Readings of one series and the rollup lines the gateway would write for them, computed
/// here from the readings by the documented rules (docs/formats.md), so that index and query
/// results can be checked against a computation straight from the readings.
struct ReferenceSeries {
    var park: String
    var site: String
    var device: String
    var metric: String
    var kind: String
    var unit: String
    /// (event time ms, value) in time order; a state series uses `states`.
    var readings: [(millis: Int64, value: Double)] = []
    var states: [(millis: Int64, state: String)] = []
    var stateHorizonMillis: Int64 = 600_000

    /// Each reading's counter growth: its difference to the previous reading, or the reading
    /// itself after a drop (a reset from 0); the first reading contributes nothing.
    func growth() -> [(millis: Int64, growth: Double, reset: Bool)] {
        var result: [(Int64, Double, Bool)] = []
        var previous: Double?
        for reading in readings {
            if let before = previous {
                result.append(
                    reading.value >= before
                        ? (reading.millis, reading.value - before, false) : (reading.millis, reading.value, true))
            } else {
                result.append((reading.millis, 0, false))
            }
            previous = reading.value
        }
        return result
    }

    /// Milliseconds in each state within `[start, end)`: a state lasts until the next reading,
    /// at most the horizon.
    func stateMillis(in range: Range<Int64>) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for (index, reading) in states.enumerated() {
            let next = index + 1 < states.count ? states[index + 1].millis : Int64.max
            let until = min(next, reading.millis + stateHorizonMillis)
            let overlap = min(until, range.upperBound) - max(reading.millis, range.lowerBound)
            if overlap > 0 { result[reading.state, default: 0] += overlap }
        }
        return result
    }

    /// The rollup lines of windows of `tierMillis`, in window order; `cutShort` windows are
    /// written as two records (as across a restart): the first readings `complete:false`, the
    /// rest `complete:true`.
    func lines(tierMillis: Int64, cutShort: Set<Int64> = []) -> [String] {
        var starts = Set((readings.map(\.millis) + states.map(\.millis)).map { $0 - $0 % tierMillis })
        if kind == "state" {
            for (index, reading) in states.enumerated() {
                let next = index + 1 < states.count ? states[index + 1].millis : Int64.max
                var start = reading.millis - reading.millis % tierMillis
                while start < min(next, reading.millis + stateHorizonMillis) {
                    starts.insert(start)
                    start += tierMillis
                }
            }
        }
        let byWindow = Dictionary(grouping: readings) { $0.millis - $0.millis % tierMillis }
        let growthByTime = Dictionary(growth().map { ($0.millis, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for start in starts.sorted() {
            let window = start..<(start + tierMillis)
            let inside = byWindow[start] ?? []
            if cutShort.contains(start), kind != "state" {
                let half = inside.count / 2
                lines.append(line(window, readings: Array(inside.prefix(half)), growth: growthByTime, complete: false))
                lines.append(line(window, readings: Array(inside.dropFirst(half)), growth: growthByTime, complete: true))
            } else {
                lines.append(line(window, readings: inside, growth: growthByTime, complete: true))
            }
        }
        return lines
    }

    private func line(
        _ window: Range<Int64>, readings inside: [(millis: Int64, value: Double)],
        growth growthByTime: [Int64: (millis: Int64, growth: Double, reset: Bool)], complete: Bool
    ) -> String {
        var fields: [String] = [
            "\"tier\":\"t\"", "\"start\":\"\(Self.time(window.lowerBound))\"", "\"end\":\"\(Self.time(window.upperBound))\"",
            "\"park\":\"\(park)\"", "\"site\":\"\(site)\"", "\"device\":\"\(device)\"", "\"metric\":\"\(metric)\"",
            "\"kind\":\"\(kind)\"", "\"unit\":\"\(unit)\"",
        ]
        if kind == "state" {
            let inWindow = states.filter { window.contains($0.millis) }
            fields.append("\"count\":\(inWindow.count)")
            let counts = Dictionary(inWindow.map { ($0.state, 1) }, uniquingKeysWith: +)
            fields.append(
                "\"state_count\":{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                    + "}")
            let millis = stateMillis(in: window)
            fields.append(
                "\"state_ms\":{" + millis.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                    + "}")
            fields.append(
                "\"first\":" + (inWindow.first.map { "{\"ts\":\"\(Self.time($0.millis))\",\"v\":\"\($0.state)\"}" } ?? "null"))
            fields.append(
                "\"last\":" + (inWindow.last.map { "{\"ts\":\"\(Self.time($0.millis))\",\"v\":\"\($0.state)\"}" } ?? "null"))
        } else {
            let values = inside.map(\.value)
            let mean = values.reduce(0, +) / Double(max(1, values.count))
            fields.append("\"count\":\(values.count)")
            fields.append("\"sum\":\(values.reduce(0, +))")
            fields.append("\"min\":\(values.min() ?? 0)")
            fields.append("\"max\":\(values.max() ?? 0)")
            fields.append("\"mean\":\(mean)")
            fields.append("\"m2\":\(values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) })")
            fields.append(
                "\"first\":" + (inside.first.map { "{\"ts\":\"\(Self.time($0.millis))\",\"v\":\($0.value)}" } ?? "null"))
            fields.append("\"last\":" + (inside.last.map { "{\"ts\":\"\(Self.time($0.millis))\",\"v\":\($0.value)}" } ?? "null"))
            if kind == "counter" {
                let mine = inside.compactMap { growthByTime[$0.millis] }
                fields.append("\"increase\":\(mine.reduce(0) { $0 + $1.growth })")
                fields.append("\"resets\":\(mine.filter(\.reset).count)")
            }
        }
        fields.append("\"complete\":\(complete)")
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func time(_ millis: Int64) -> String { UTCTimestamp.string(millis: millis) }
}
