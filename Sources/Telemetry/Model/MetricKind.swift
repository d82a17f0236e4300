/// How a metric's readings are aggregated (see DESIGN.md, "Metric catalogue").
public enum MetricKind: String, Sendable, CaseIterable {
    /// A level sampled over time (temperature, vibration, power): count, sum, min, max, variance.
    case gauge
    /// A monotonically increasing total that may reset (energy, parts): adds increase and resets.
    case counter
    /// A discrete machine state (running, idle, fault, off): readings and milliseconds per state.
    case state
}
