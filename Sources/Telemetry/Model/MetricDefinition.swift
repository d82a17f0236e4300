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
    /// State metrics: the states that count as up time, the numerator of availability.
    public var upStates: [String]
    /// State metrics: the planned-time states, the denominator of availability (up time
    /// and the time the machine was meant to run but did not, e.g. idle or in fault).
    public var plannedStates: [String]
    /// State metrics: the states whose continuous runs are measured (`FaultRuns`).
    public var faultStates: [String]

    /// The up, planned and fault states when a definition names none: `running`; `running`,
    /// `idle` and `fault`; `fault`.
    public static let defaultUpStates = ["running"]
    public static let defaultPlannedStates = ["running", "idle", "fault"]
    public static let defaultFaultStates = ["fault"]

    /// A definition; up, planned and fault states left `nil` are the defaults, restricted to
    /// `states` when it lists any.
    public init(
        name: String, kind: MetricKind, unit: String,
        validRange: ClosedRange<Double>? = nil, states: [String] = [],
        upStates: [String]? = nil, plannedStates: [String]? = nil, faultStates: [String]? = nil
    ) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.validRange = validRange
        self.states = states
        func orDefault(_ given: [String]?, _ defaults: [String]) -> [String] {
            if let given { return given }
            guard kind == .state else { return [] }
            guard !states.isEmpty else { return defaults }
            return defaults.filter { name in states.contains { Name.bytesEqual($0, name) } }
        }
        self.upStates = orDefault(upStates, Self.defaultUpStates)
        self.plannedStates = orDefault(plannedStates, Self.defaultPlannedStates)
        self.faultStates = orDefault(faultStates, Self.defaultFaultStates)
    }

    /// True when kind and range are equal and name, unit and states have the same bytes (see
    /// `Name`): names that differ only in Unicode normalisation define different metrics.
    /// Lists every stored property: a new one must be added here.
    public static func == (lhs: MetricDefinition, rhs: MetricDefinition) -> Bool {
        lhs.kind == rhs.kind && lhs.validRange == rhs.validRange && Name.bytesEqual(lhs.name, rhs.name)
            && Name.bytesEqual(lhs.unit, rhs.unit)
            && sameNames(lhs.states, rhs.states) && sameNames(lhs.upStates, rhs.upStates)
            && sameNames(lhs.plannedStates, rhs.plannedStates) && sameNames(lhs.faultStates, rhs.faultStates)
    }

    private static func sameNames(_ lhs: [String], _ rhs: [String]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { Name.bytesEqual($0, $1) }
    }
}
