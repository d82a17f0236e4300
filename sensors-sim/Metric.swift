/// One metric of the gateway's catalogue as the simulator knows it: name, kind, unit and valid
/// values. The names and ranges are the gateway's exactly; the ledger does not depend on the
/// gateway's code, so they are repeated here on purpose.
struct Metric: Sendable, Equatable {
    /// How the gateway aggregates a metric.
    enum Kind: String, Sendable {
        /// A level that goes up and down (temperature, power).
        case gauge
        /// A total that only increases, except for resets to 0 (energy, parts).
        case counter
        /// One of a fixed set of strings (machine state).
        case state
    }

    /// Catalogue name, e.g. `temperature_c`.
    let name: String
    /// Aggregation kind.
    let kind: Kind
    /// Unit, for people (README, summaries).
    let unit: String
    /// Valid range of a gauge or counter; `nil` for a state.
    let range: ClosedRange<Double>?
    /// Valid values of a state; empty for a gauge or counter.
    let states: [String]

    /// Decimal places a published value is rounded to: 2 for gauges, 3 for counters.
    var decimals: Int { kind == .counter ? 3 : 2 }

    /// A gauge with its valid range.
    static func gauge(_ name: String, _ unit: String, _ range: ClosedRange<Double>) -> Metric {
        Metric(name: name, kind: .gauge, unit: unit, range: range, states: [])
    }

    /// A counter with its valid range.
    static func counter(_ name: String, _ unit: String, _ range: ClosedRange<Double>) -> Metric {
        Metric(name: name, kind: .counter, unit: unit, range: range, states: [])
    }

    /// A state metric with its valid values.
    static func state(_ name: String, _ states: [String]) -> Metric {
        Metric(name: name, kind: .state, unit: "", range: nil, states: states)
    }

    /// Rounds `value` to this metric's decimals and clamps it into its range, so a published
    /// valid value is always inside the range. `-0` becomes `0`.
    func publishable(_ value: Double) -> Double {
        let scale = kind == .counter ? 1000.0 : 100.0
        var rounded = (value * scale).rounded() / scale
        if let range {
            rounded = min(max(rounded, range.lowerBound), range.upperBound)
        }
        return rounded == 0 ? 0 : rounded
    }
}
