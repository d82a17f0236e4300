/// What the reference documents about one key of `gateway.yaml`: the row of its table in
/// `config/README.md`. Kept apart from `ConfigKey`'s reading so that the reference, the README
/// test and `gateway config-reference` can list the keys of every section without knowing the
/// settings type each one is read into.
struct ConfigKeyDoc: Sendable, Equatable {
    /// What kind of entry the key is.
    enum Kind: Sendable, Equatable {
        /// A value read into the settings.
        case value
        /// A nested section with its own table (`mqtt.tls`, `storage.rollup_log`).
        case section
        /// A key that is always an error, reported with `message` (`mqtt.password`).
        case forbidden(message: String)
    }

    /// Dotted path from the top of the file, e.g. `ingest.max_name_bytes`.
    let path: String
    /// The README's "type" cell, e.g. `integer 16…65535`.
    let type: String
    /// The README's "default" cell, e.g. `` `128` `` or `unset (anonymous)`.
    let defaultText: String
    /// The README's "meaning" cell, verbatim (Markdown).
    let meaning: String
    /// Value, nested section or forbidden key.
    let kind: Kind

    /// The last component of `path`: the key as written in its section (`max_name_bytes`).
    var name: String {
        path.split(separator: ".").last.map(String.init) ?? path
    }

    /// The default as a YAML value when the default cell is exactly one code span
    /// (`` `64MiB` `` gives `64MiB`), else `nil` (`unset`, `see below`, `—`).
    var defaultLiteral: String? {
        guard defaultText.count >= 3, defaultText.hasPrefix("`"), defaultText.hasSuffix("`") else {
            return nil
        }
        let inner = defaultText.dropFirst().dropLast()
        return inner.contains("`") ? nil : String(inner)
    }
}
