/// One entry of the metric catalogue: what a metric is and which values of it are valid.
public struct MetricDefinition: Sendable, Equatable {
    /// The key devices use in their payloads, e.g. `temperature_c`.
    public var name: String
    public var kind: MetricKind
    /// Unit shown to operators and written into rollups, e.g. `°C`, `kWh`; empty for states.
    public var unit: String
    /// Inclusive valid range for gauges and counters; `nil` accepts any finite number.
    public var validRange: ClosedRange<Double>?
    /// The allowed values of a `state` metric; empty for other kinds.
    public var states: [String]

    public init(
        name: String, kind: MetricKind, unit: String,
        validRange: ClosedRange<Double>? = nil, states: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.validRange = validRange
        self.states = states
    }
}
