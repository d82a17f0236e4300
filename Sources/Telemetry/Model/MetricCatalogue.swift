/// The metrics the gateway knows, looked up by name for every reading.
///
/// Names are identified by their UTF-8 bytes (see `Name`): two names that differ only in
/// Unicode normalisation are two metrics.
public struct MetricCatalogue: Sendable {
    /// Definitions in catalogue order.
    public let definitions: [MetricDefinition]
    /// When true a metric missing from the catalogue is quarantined as `unknown_metric`;
    /// when false it is aggregated as a unit-less gauge with no range check.
    public let strict: Bool
    /// Positions in `definitions` by the names' UTF-8 bytes, so the pipeline can look a name up
    /// inside a payload without building a `String`.
    private let indexByName: ByteKeyTable

    /// Builds a catalogue; a later definition with the same name (the same bytes) replaces an
    /// earlier one.
    public init(_ definitions: [MetricDefinition], strict: Bool = true) {
        var index = ByteKeyTable(capacity: definitions.count)
        var unique: [MetricDefinition] = []
        for definition in definitions {
            if let existing = index.value(for: definition.name) {
                unique[Int(existing)] = definition
            } else {
                index.insert(definition.name, value: Int32(unique.count))
                unique.append(definition)
            }
        }
        self.definitions = unique
        self.strict = strict
        self.indexByName = index
    }

    /// The definition whose name has exactly the UTF-8 bytes of `name`, or `nil` when the
    /// catalogue does not list it. O(name length).
    public func definition(named name: String) -> MetricDefinition? {
        index(named: name).map { definitions[$0] }
    }

    /// The position in `definitions` of the metric whose name has exactly the UTF-8 bytes of
    /// `name`, or `nil`. O(name length).
    func index(named name: String) -> Int? {
        indexByName.value(for: name).map(Int.init)
    }

    /// The position in `definitions` of the metric whose name is exactly these UTF-8 bytes, or
    /// `nil`: the same answer as `index(named:)` for the same bytes. O(name length).
    func index(nameBytes: UnsafeRawBufferPointer) -> Int? {
        indexByName.value(for: nameBytes).map(Int.init)
    }
}
