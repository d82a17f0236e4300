import Foundation

/// An aggregate of one window computed by the test itself, independently of the Telemetry
/// library: from the simulator's ledger, or by merging the gateway's rollup records.
struct WindowTotals {
    enum Value: Equatable, CustomStringConvertible {
        case number(Double)
        case text(String)

        init?(_ any: Any?) {
            if let text = any as? String {
                self = .text(text)
            } else if let number = any as? NSNumber {
                self = .number(number.doubleValue)
            } else {
                return nil
            }
        }

        var description: String {
            switch self {
            case .number(let value): return "\(value)"
            case .text(let text): return "\"\(text)\""
            }
        }
    }

    var count = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var first: (ts: Int64, value: Value)?
    var last: (ts: Int64, value: Value)?
    var increase = 0.0
    var resets = 0
    var stateCounts: [String: Int] = [:]
    /// The ledger: a gauge's values, for exact quantiles.
    var gaugeValues: [Double] = []
    /// A record: its `p50`…`p99` by name; nil once two records of the window were merged
    /// (their quantiles do not combine; their sketches would).
    var quantiles: [String: Double]?

    /// Adds one reading in arrival order (ties in time: first stays, last moves).
    mutating func add(_ value: Value, at ts: Int64) {
        count += 1
        switch value {
        case .number(let number):
            sum += number
            min = Swift.min(min, number)
            max = Swift.max(max, number)
        case .text(let state):
            stateCounts[state, default: 0] += 1
        }
        if first == nil || ts < first?.ts ?? .max { first = (ts, value) }
        if last == nil || ts >= last?.ts ?? .min { last = (ts, value) }
    }

    /// Merges a later-written partial of the same window.
    mutating func merge(_ other: WindowTotals) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if let otherFirst = other.first, first == nil || otherFirst.ts < first?.ts ?? .max { first = otherFirst }
        if let otherLast = other.last, last == nil || otherLast.ts >= last?.ts ?? .min { last = otherLast }
        increase += other.increase
        resets += other.resets
        stateCounts.merge(other.stateCounts, uniquingKeysWith: +)
        gaugeValues += other.gaugeValues
        quantiles = count == other.count ? other.quantiles : nil
    }

    /// Differences from `expected`, as sentences; exact for counts, extremes and first/last,
    /// relative 1e-9 for floating-point sums (addition order differs between the two sides).
    func differences(from expected: WindowTotals) -> [String] {
        var problems: [String] = []
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * Swift.max(1, abs(a), abs(b)) }
        if count != expected.count { problems.append("count \(count) ≠ \(expected.count)") }
        if !close(sum, expected.sum) { problems.append("sum \(sum) ≠ \(expected.sum)") }
        if expected.min.isFinite && min != expected.min { problems.append("min \(min) ≠ \(expected.min)") }
        if expected.max.isFinite && max != expected.max { problems.append("max \(max) ≠ \(expected.max)") }
        if first?.ts != expected.first?.ts || first?.value != expected.first?.value {
            problems.append("first \(String(describing: first)) ≠ \(String(describing: expected.first))")
        }
        if last?.ts != expected.last?.ts || last?.value != expected.last?.value {
            problems.append("last \(String(describing: last)) ≠ \(String(describing: expected.last))")
        }
        if !close(increase, expected.increase) { problems.append("increase \(increase) ≠ \(expected.increase)") }
        if resets != expected.resets { problems.append("resets \(resets) ≠ \(expected.resets)") }
        if stateCounts != expected.stateCounts { problems.append("state_count \(stateCounts) ≠ \(expected.stateCounts)") }
        return problems
    }
}
