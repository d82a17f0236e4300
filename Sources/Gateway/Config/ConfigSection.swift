import Yams

/// One mapping of `gateway.yaml` (`ingest`, `mqtt.tls`, `storage.rollup_log`…) as the list of
/// its declared keys, plus the rules that involve several of them. The keys a section allows,
/// the key a forbidden name is reported under, the order unknown keys are listed and suggested
/// in, and the order keys are read in all follow the declaration order.
struct ConfigSection<Settings>: Sendable {
    /// A rule across keys, run after every key was read. `keysValid` is false when reading the
    /// keys reported a problem (rules comparing two values then stay quiet).
    typealias Check =
        @Sendable (
            _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ settings: inout Settings,
            _ keysValid: Bool
        ) -> Void

    /// Dotted path of the section (`mqtt.reconnect`).
    let path: String
    /// The keys, in the order they are allowed, listed, documented and read.
    let keys: [ConfigKey<Settings>]
    /// Nested sections read into the same settings and documented as rows of this section's
    /// table (`reconnect.initial` in `mqtt`'s); allowed after `keys`.
    let inlineSections: [ConfigSection<Settings>]
    /// Rules across keys, or `nil`.
    let check: Check?

    /// A section at `path` with `keys`, inline sections and a cross-key rule.
    init(
        _ path: String, keys: [ConfigKey<Settings>], inlineSections: [ConfigSection<Settings>] = [],
        check: Check? = nil
    ) {
        self.path = path
        self.keys = keys
        self.inlineSections = inlineSections
        self.check = check
    }

    /// The section's own name (`reconnect` for `mqtt.reconnect`).
    var name: String {
        path.split(separator: ".").last.map(String.init) ?? path
    }

    /// Keys accepted in this mapping, in declaration order: the value and section keys, then
    /// the inline sections.
    var allowedKeys: [String] {
        keys.filter { $0.read != nil }.map(\.name) + inlineSections.map(\.name)
    }

    /// Keys that are always an error, with their message.
    var forbiddenKeys: [String: String] {
        var forbidden: [String: String] = [:]
        for key in keys {
            if case .forbidden(let message) = key.doc.kind {
                forbidden[key.name] = message
            }
        }
        return forbidden
    }

    /// The documentation of every key: this section's, then its inline sections'.
    var docs: [ConfigKeyDoc] {
        keys.map(\.doc) + inlineSections.flatMap(\.docs)
    }

    /// Reads `node` as this section into `settings`. Returns false, leaving `settings` alone,
    /// when the section is absent or not a mapping (reported); a YAML null is an empty section.
    @discardableResult
    func read(_ node: Node?, into settings: inout Settings, reader: inout ConfigNodeReader) -> Bool {
        guard
            let section = reader.section(
                node, key: path, allowedKeys: allowedKeys, forbiddenKeys: forbiddenKeys)
        else {
            return false
        }
        let issuesBefore = reader.issues.count
        for key in keys {
            key.read?.body(&reader, section, key.name, &settings)
        }
        for inline in inlineSections {
            inline.read(section.node(inline.name), into: &settings, reader: &reader)
        }
        check?(&reader, section, &settings, reader.issues.count == issuesBefore)
        return true
    }
}
