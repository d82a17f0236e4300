/// The metrics the gateway knows, looked up by name for every reading.
public struct MetricCatalogue: Sendable {
    /// Definitions in catalogue order.
    public let definitions: [MetricDefinition]
    /// When true a metric missing from the catalogue is quarantined as `unknown_metric`;
    /// when false it is aggregated as a unit-less gauge with no range check.
    public let strict: Bool
    private let indexByName: [String: Int]
    /// The same index by the names' UTF-8 bytes (every spelling given to `init`), so the
    /// pipeline can look a name up inside a payload without building a `String`.
    private let indexByNameBytes: ByteKeyTable

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
        var byBytes = ByteKeyTable(capacity: definitions.count)
        for definition in definitions where byBytes.value(for: definition.name) == nil {
            if let position = index[definition.name] { byBytes.insert(definition.name, value: Int32(position)) }
        }
        self.definitions = unique
        self.strict = strict
        self.indexByName = index
        self.indexByNameBytes = byBytes
    }

    /// The definition for `name`, or `nil` when the catalogue does not list it. O(1).
    public func definition(named name: String) -> MetricDefinition? {
        indexByName[name].map { definitions[$0] }
    }

    /// The position in `definitions` of the metric named `name`, or `nil`. O(1).
    func index(named name: String) -> Int? {
        indexByName[name]
    }

    /// The position in `definitions` of the metric whose name is exactly these UTF-8 bytes.
    /// A miss is not final: a differently normalised spelling may still match `index(named:)`.
    func index(nameBytes: UnsafeRawBufferPointer) -> Int? {
        indexByNameBytes.value(for: nameBytes).map(Int.init)
    }
}
