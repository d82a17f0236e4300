import Telemetry
import Yams

/// Reads the metric catalogue (`metrics.yaml`) into a `MetricCatalogue`, collecting every
/// problem with the catalogue file's name, line and column.
///
/// Format: an optional `strict:` flag (default true) and a `metrics:` mapping from metric name
/// to `{kind, unit, min, max, states, up_states, planned_states, fault_states}`; see
/// config/README.md.
enum MetricCatalogueLoader {
    /// Top-level keys of the catalogue file.
    static let rootKeys = ["strict", "metrics"]
    /// Keys of one metric's entry.
    static let metricKeys = ["kind", "unit", "min", "max", "states", "up_states", "planned_states", "fault_states"]
    /// Keys of a state metric's lists of states with a role: availability's numerator and
    /// denominator, and the states whose runs are measured.
    static let roleKeys = ["up_states", "planned_states", "fault_states"]
    /// Keys of the payload format itself, which cannot be metric names.
    static let reservedNames = ["ts", "values", "seq"]

    /// Reads and validates the catalogue file at `path`. Throws `ConfigErrors` with every issue.
    static func load(path: String) throws(ConfigErrors) -> MetricCatalogue {
        switch ConfigTextFile.read(path: path) {
        case .text(let text):
            return try parse(yaml: text, sourcePath: path)
        case .unreadable(let reason):
            throw ConfigErrors(issues: [ConfigIssue(file: path, key: "", message: reason)])
        }
    }

    /// Validates `yaml` as if read from `sourcePath`. Throws `ConfigErrors` with every issue.
    static func parse(yaml: String, sourcePath: String) throws(ConfigErrors) -> MetricCatalogue {
        let result = read(yaml: yaml, file: sourcePath)
        guard result.issues.isEmpty else {
            throw ConfigErrors(issues: result.issues)
        }
        return result.catalogue
    }

    /// The catalogue built from the valid entries of `yaml`, and every issue found; the
    /// catalogue is only meant to be used when `issues` is empty.
    static func read(yaml: String, file: String) -> (catalogue: MetricCatalogue, issues: [ConfigIssue]) {
        var reader = ConfigNodeReader(file: file)
        let document = reader.document(yaml)
        let syntaxOK = reader.issues.isEmpty
        let root = reader.section(document, key: "", allowedKeys: rootKeys) ?? .absent(key: "")
        let strict = reader.bool("strict", in: root) ?? true
        var definitions: [MetricDefinition] = []
        if let metricsNode = root.node("metrics"), !ConfigNodeReader.isNull(metricsNode) {
            if let mapping = metricsNode.mapping {
                for (nameNode, entryNode) in mapping {
                    if let definition = readMetric(name: nameNode, entry: entryNode, reader: &reader) {
                        definitions.append(definition)
                    }
                }
                if mapping.isEmpty {
                    reader.report(
                        "expected at least one metric, got an empty mapping", key: "metrics", at: metricsNode)
                }
            } else {
                reader.report(
                    "expected a mapping from metric name to {kind, unit, min, max}, got "
                        + ConfigNodeReader.describe(metricsNode),
                    key: "metrics", at: metricsNode)
            }
        } else if syntaxOK {
            reader.report(
                "expected a metrics: section listing at least one metric", key: "metrics",
                at: root.node("metrics") ?? document)
        }
        return (MetricCatalogue(definitions, strict: strict), ConfigLoader.inFileOrder(reader.issues))
    }

    private static func readMetric(
        name nameNode: Node, entry: Node, reader: inout ConfigNodeReader
    )
        -> MetricDefinition?
    {
        guard let name = reader.string(nameNode, key: "metrics", describing: "a metric name") else {
            return nil
        }
        let key = "metrics.\(name)"
        if reservedNames.contains(name) {
            reader.report(
                "\(ConfigNodeReader.quoted(name)) is a key of the payload format (ts, values, seq) "
                    + "and cannot be a metric name",
                key: key, at: nameNode)
            return nil
        }
        let issuesBefore = reader.issues.count
        let section = reader.section(entry, key: key, allowedKeys: metricKeys) ?? .absent(key: key)
        let kinds = MetricKind.allCases.map(\.rawValue)
        let kindText = reader.choice("kind", in: section, options: kinds)
        if section.node("kind") == nil {
            reader.report(
                "missing kind; expected kind: \(ConfigNodeReader.alternatives(kinds))", key: key, at: nameNode
            )
        }
        let unit = reader.string("unit", in: section, describing: "a unit like °C or kWh", allowEmpty: true)
        let min = reader.number("min", in: section)
        let max = reader.number("max", in: section)
        var states: [String] = []
        if let items = reader.list("states", in: section, describing: "a list of states like [running, idle]") {
            states = readStates(
                items, key: section.path("states"), listNode: section.node("states"), reader: &reader)
        }
        var roles: [String: [String]] = [:]
        for roleKey in roleKeys {
            if let items = reader.list(roleKey, in: section, describing: "a list of the metric's states") {
                roles[roleKey] = readRoleStates(items, key: section.path(roleKey), states: states, reader: &reader)
            }
        }
        guard let kindText, let kind = MetricKind(rawValue: kindText) else {
            return nil
        }
        switch kind {
        case .gauge, .counter:
            if let min, let max, min > max {
                reader.report(
                    "expected max to be at least min (\(format(min))), got \(format(max))",
                    key: section.path("max"), at: section.node("max"))
            }
            for stateKey in ["states"] + roleKeys where section.node(stateKey) != nil {
                reader.report(
                    "\(stateKey) is only for kind: state; a \(kind.rawValue) has min and max",
                    key: section.path(stateKey), at: section.node(stateKey))
            }
        case .state:
            for bound in ["min", "max"] where section.node(bound) != nil {
                reader.report(
                    "a state metric has no range; remove \(bound)", key: section.path(bound),
                    at: section.node(bound))
            }
            if let unit, !unit.isEmpty {
                reader.report(
                    "a state metric has no unit; remove unit", key: section.path("unit"),
                    at: section.node("unit"))
            }
            if section.node("states") == nil {
                reader.report(
                    "missing states; a state metric lists its states, e.g. states: [running, idle, fault, off]",
                    key: key, at: nameNode)
            }
        }
        guard reader.issues.count == issuesBefore else {
            return nil
        }
        let range: ClosedRange<Double>? =
            switch (min, max) {
            case (let low?, let high?): low...high
            case (let low?, nil): low...Double.infinity
            case (nil, let high?): -Double.infinity...high
            case (nil, nil): nil
            }
        let definition = MetricDefinition(
            name: name, kind: kind, unit: unit ?? "", validRange: range, states: states, upStates: roles["up_states"],
            plannedStates: roles["planned_states"], faultStates: roles["fault_states"])
        for up in definition.upStates where !definition.plannedStates.contains(where: { Name.bytesEqual($0, up) }) {
            let roleKey = roles["up_states"] == nil ? "planned_states" : "up_states"
            reader.report(
                "up state \(ConfigNodeReader.quoted(up)) is not in planned_states "
                    + "(\(definition.plannedStates.joined(separator: ", "))): "
                    + "availability = up time / planned time, so every up state must be planned",
                key: section.path(roleKey), at: section.node(roleKey) ?? nameNode)
            return nil
        }
        return definition
    }

    /// Reads `up_states`, `planned_states` or `fault_states`: each item one of the metric's
    /// `states` (by bytes), none twice; an empty list is allowed (no state has that role).
    private static func readRoleStates(
        _ items: [Node], key: String, states: [String], reader: inout ConfigNodeReader
    ) -> [String] {
        var chosen: [String] = []
        for (index, item) in items.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard let state = reader.string(item, key: itemKey, describing: "a state name") else { continue }
            if !states.isEmpty && !states.contains(where: { Name.bytesEqual($0, state) }) {
                reader.report(
                    "\(ConfigNodeReader.quoted(state)) is not one of the metric's states (\(states.joined(separator: ", ")))",
                    key: itemKey, at: item)
            } else if chosen.contains(where: { Name.bytesEqual($0, state) }) {
                reader.report("state \(ConfigNodeReader.quoted(state)) is listed twice", key: itemKey, at: item)
            } else {
                chosen.append(state)
            }
        }
        return chosen
    }

    private static func readStates(
        _ items: [Node], key: String, listNode: Node?, reader: inout ConfigNodeReader
    ) -> [String] {
        if items.isEmpty {
            reader.report("expected at least one state, got an empty list", key: key, at: listNode)
        }
        var states: [String] = []
        for (index, item) in items.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard let state = reader.string(item, key: itemKey, describing: "a state name") else {
                continue
            }
            // By bytes, as the gateway tells states apart (`Name`): "café" precomposed and
            // decomposed are two states, not one listed twice.
            if states.contains(where: { Name.bytesEqual($0, state) }) {
                reader.report(
                    "state \(ConfigNodeReader.quoted(state)) is listed twice", key: itemKey, at: item)
            } else {
                states.append(state)
            }
        }
        return states
    }

    /// A bound as an operator wrote it: `150` rather than `150.0`.
    private static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }
}
