/// One key of `gateway.yaml`, declared once: its dotted path, the type, default and meaning
/// shown in `config/README.md`, and how it is read and validated into the settings of its
/// section. The loader's allowed keys, `gateway check-config` and the reference tables all come
/// from these declarations (see `ConfigKeys`), so a key cannot be accepted but undocumented,
/// or documented with a default the loader does not use.
struct ConfigKey<Settings>: Sendable {
    /// Path, type, default and meaning, as the reference shows them.
    let doc: ConfigKeyDoc
    /// How the value is read; `nil` for a forbidden key, which is never read.
    let read: ConfigRead<Settings>?

    /// A value key. `path` is dotted from the top of the file (`ingest.max_name_bytes`);
    /// `type`, `defaultText` and `meaning` are the README cells, verbatim.
    init(
        _ path: String, type: String, default defaultText: String, meaning: String,
        read: ConfigRead<Settings>
    ) {
        doc = ConfigKeyDoc(path: path, type: type, defaultText: defaultText, meaning: meaning, kind: .value)
        self.read = read
    }

    /// A nested section with a table of its own (`mqtt.tls`); `read` reads the whole section.
    init(
        section path: String, type: String, default defaultText: String, meaning: String,
        read: ConfigRead<Settings>
    ) {
        doc = ConfigKeyDoc(path: path, type: type, defaultText: defaultText, meaning: meaning, kind: .section)
        self.read = read
    }

    /// A key that is always an error, reported with `message` wherever it appears.
    init(
        forbidden path: String, type: String, default defaultText: String, meaning: String,
        message: String
    ) {
        doc = ConfigKeyDoc(
            path: path, type: type, defaultText: defaultText, meaning: meaning,
            kind: .forbidden(message: message))
        read = nil
    }

    /// The key as written in its section (`max_name_bytes`).
    var name: String { doc.name }
}
