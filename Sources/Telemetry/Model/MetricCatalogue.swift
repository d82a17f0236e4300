/// The metrics the gateway knows, looked up by name for every reading.
public struct MetricCatalogue: Sendable {
    /// Definitions in catalogue order.
    public let definitions: [MetricDefinition]
    /// When true a metric missing from the catalogue is quarantined as `unknown_metric`;
    /// when false it is aggregated as a unit-less gauge with no range check.
    public let strict: Bool
    private let indexByName: [String: Int]

    /// Builds a catalogue; a later definition with the same name replaces an earlier one.
    public init(_ definitions: [MetricDefinition], strict: Bool = true) {
        var index: [String: Int] = [:]
        var unique: [MetricDefinition] = []
        for definition in definitions {
            if let existing = index[definition.name] {
                unique[existing] = definition
            } else {
                index[definition.name] = unique.count
                unique.append(definition)
            }
        }
        self.definitions = unique
        self.strict = strict
        self.indexByName = index
    }

    /// The definition for `name`, or `nil` when the catalogue does not list it. O(1).
    public func definition(named name: String) -> MetricDefinition? {
        indexByName[name].map { definitions[$0] }
    }
}
