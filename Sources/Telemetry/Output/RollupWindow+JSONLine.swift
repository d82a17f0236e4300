extension RollupWindow {
    /// Writes the rollup record documented in docs/formats.md ("Rollup record") into `line`.
    ///
    /// Field order is fixed: tier, start, end, park, site, device, metric, kind, unit, count,
    /// then the kind's aggregates (a counter's rate, a gauge's quantiles and sketch when it has
    /// one, a state's transitions, availability and fault runs, and `state_at_stop` only when
    /// set), then complete. Names are written in their exact bytes, and
    /// the states of `state_count` and `state_ms` in their bytes' order.
    public func write(to line: inout JSONLineBuilder) {
        line.reset()
        line.openObject()
        line.key("tier"); line.string(tier.name)
        line.key("start"); line.timestamp(millis: startMillis)
        line.key("end"); line.timestamp(millis: endMillis)
        line.key("park"); line.string(series.device.park)
        line.key("site"); line.string(series.device.site)
        line.key("device"); line.string(series.device.device)
        line.key("metric"); line.string(series.metric)
        line.key("kind"); line.string(kind.rawValue)
        line.key("unit"); line.string(unit)
        switch partial {
        case .numeric(let numeric):
            line.key("count"); line.integer(numeric.count)
            line.key("sum"); line.number(numeric.sum)
            line.key("min"); line.number(numeric.min)
            line.key("max"); line.number(numeric.max)
            line.key("mean"); line.number(numeric.mean)
            line.key("m2"); line.number(numeric.m2)
            line.key("first"); Self.write(numeric.first, to: &line)
            line.key("last"); Self.write(numeric.last, to: &line)
            if kind == .counter {
                line.key("increase"); line.number(numeric.increase)
                line.key("resets"); line.integer(numeric.resets)
                line.key("rate"); line.number(numeric.increase * 1000 / Double(tier.lengthMillis))
            }
            if let sketch {
                for (name, q) in Self.quantiles {
                    line.key(name); line.number(sketch.quantile(q) ?? .nan)
                }
                line.key("sketch"); line.string(sketch.encodedText())
            }
        case .state(let state):
            line.key("count"); line.integer(state.count)
            line.key("state_count")
            line.openObject()
            for (name, count) in state.stateCounts.sorted(by: { $0.key < $1.key }) {
                line.key(name.string); line.integer(count)
            }
            line.closeObject()
            line.key("state_ms")
            line.openObject()
            for (name, millis) in state.stateMillis.sorted(by: { $0.key < $1.key }) {
                line.key(name.string); line.integer(millis)
            }
            line.closeObject()
            line.key("transitions"); line.integer(state.transitions)
            line.key("up_ms"); line.integer(state.upMillis)
            line.key("planned_ms"); line.integer(state.plannedMillis)
            line.key("availability")
            if state.plannedMillis > 0 {
                line.number(Double(state.upMillis) / Double(state.plannedMillis))
            } else {
                line.null()
            }
            line.key("longest_fault_ms"); line.integer(state.faults.longestMillis)
            line.key("leading_fault_ms"); line.integer(state.faults.leadingMillis)
            line.key("trailing_fault_ms"); line.integer(state.faults.trailingMillis(windowEndMillis: endMillis))
            line.key("first"); Self.write(state.first, to: &line)
            line.key("last"); Self.write(state.last, to: &line)
            if let inForce = state.inForceAtStop {
                line.key("state_at_stop"); Self.write(inForce, to: &line)
            }
        }
        line.key("complete"); line.bool(complete)
        line.closeObject()
    }

    /// The quantiles a gauge's record states, by field name.
    static let quantiles: [(name: String, q: Double)] = [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)]

    private static func write(_ value: NumericPartial.TimedValue, to line: inout JSONLineBuilder) {
        line.openObject()
        line.key("ts"); line.timestamp(millis: value.timestampMillis)
        line.key("v"); line.number(value.value)
        line.closeObject()
    }

    private static func write(_ value: StatePartial.TimedState?, to line: inout JSONLineBuilder) {
        guard let value else {
            line.null()
            return
        }
        line.openObject()
        line.key("ts"); line.timestamp(millis: value.timestampMillis)
        line.key("v"); line.string(value.state)
        line.closeObject()
    }
}
