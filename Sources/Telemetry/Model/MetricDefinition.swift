/// One entry of the metric catalogue: what a metric is and which values of it are valid.
public struct MetricDefinition: Sendable, Equatable {
    /// The key devices use in their payloads, e.g. `temperature_c`; matched by its UTF-8 bytes.
    public var name: String
    public var kind: MetricKind
    /// Unit shown to operators and written into rollups, e.g. `°C`, `kWh`; empty for states.
    public var unit: String
    /// Inclusive valid range for gauges and counters; `nil` accepts any finite number.
    public var validRange: ClosedRange<Double>?
    /// The allowed values of a `state` metric, matched by their UTF-8 bytes; empty for other kinds.
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

    /// True when kind and range are equal and name, unit and states have the same bytes (see
    /// `Name`): names that differ only in Unicode normalisation define different metrics.
    /// Lists every stored property: a new one must be added here.
    public static func == (lhs: MetricDefinition, rhs: MetricDefinition) -> Bool {
        lhs.kind == rhs.kind && lhs.validRange == rhs.validRange && Name.bytesEqual(lhs.name, rhs.name)
            && Name.bytesEqual(lhs.unit, rhs.unit) && lhs.states.count == rhs.states.count
            && zip(lhs.states, rhs.states).allSatisfy { Name.bytesEqual($0, $1) }
    }
}
