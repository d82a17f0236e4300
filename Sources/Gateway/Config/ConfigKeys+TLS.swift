import Foundation

/// The keys of `mqtt.tls:`. TLS is on exactly when the section is present, so an empty section
/// is read (and fails for want of a CA) rather than ignored. Every file is resolved against the
/// config file's directory and must exist when the configuration is loaded.
extension ConfigKeys {
    /// `mqtt.tls:`, read into `TLSSettings`.
    static let tls = ConfigSection<TLSSettings>(
        "mqtt.tls",
        keys: [
            ConfigKey(
                "mqtt.tls.ca_file", type: "path to a PEM file", default: "unset",
                meaning: "CA certificates that sign the broker's certificate. `ca_file` or `ca_path` is "
                    + "required.",
                read: .tlsPath(\.caFile, directory: false)),
            ConfigKey(
                "mqtt.tls.ca_path", type: "path to a directory", default: "unset",
                meaning: "Directory of hashed CA certificates (`openssl rehash`), instead of or besides "
                    + "`ca_file`.",
                read: .tlsPath(\.caPath, directory: true)),
            ConfigKey(
                "mqtt.tls.cert_file", type: "path to a PEM file", default: "unset",
                meaning: "Client certificate; only together with `key_file`.",
                read: .tlsPath(\.certFile, directory: false)),
            ConfigKey(
                "mqtt.tls.key_file", type: "path to a PEM file", default: "unset",
                meaning: "Private key of `cert_file`; only together with `cert_file`.",
                read: .tlsPath(\.keyFile, directory: false)),
            ConfigKey(
                "mqtt.tls.insecure", type: "boolean", default: "`false`",
                meaning: "Skip checking the broker's host name against its certificate. Tests only.",
                read: .bool(\.insecure)),
        ],
        check: { reader, section, _, _ in
            if section.node("ca_file") == nil && section.node("ca_path") == nil {
                reader.report(
                    "expected ca_file or ca_path, to check the broker's certificate (TLS is on because "
                        + "the tls section is present)",
                    key: section.key, mark: section.mark)
            }
            if (section.node("cert_file") == nil) != (section.node("key_file") == nil) {
                let present = section.node("cert_file") == nil ? "key_file" : "cert_file"
                let missing = present == "cert_file" ? "key_file" : "cert_file"
                reader.report(
                    "\(present) needs \(missing): a client certificate and its private key go together",
                    key: section.path(present), at: section.node(present))
            }
        })
}

extension ConfigRead where Settings == TLSSettings {
    /// A file (or, with `directory`, a directory) resolved against the config file's directory,
    /// reported when missing or of the wrong kind but kept either way.
    static func tlsPath(
        _ keyPath: WritableKeyPath<TLSSettings, String?> & Sendable, directory: Bool
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            guard
                let text = reader.string(name, in: section, describing: "a file path", nullMeansAbsent: true)
            else {
                return
            }
            let resolved = ConfigTextFile.resolve(text, against: reader.baseDirectory)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
            if !exists {
                let what = directory ? "directory" : "file"
                reader.report(
                    "\(what) not found: \(resolved)", key: section.path(name), at: section.node(name))
            } else if isDirectory.boolValue != directory {
                let what = directory ? "a directory of CA certificates" : "a PEM file"
                reader.report(
                    "expected \(what), got \(resolved)", key: section.path(name), at: section.node(name))
            }
            settings[keyPath: keyPath] = resolved
        }
    }
}
