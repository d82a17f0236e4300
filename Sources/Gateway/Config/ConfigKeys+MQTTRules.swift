import Foundation

/// The `mqtt:` rules that are more than a type and a range: host names without spaces, the
/// protocol's spellings, the client ID's length, topic filters, the credential keys and how
/// they combine, and the reconnect delays' order. Each read has `ConfigRead.Body`'s shape.
extension ConfigKeys {
    static func readHost(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard let host = reader.string(name, in: section, describing: "a host name or IP address") else {
            return
        }
        if host.contains(where: \.isWhitespace) {
            reader.report(
                "expected a host name or IP address without spaces, got \(ConfigNodeReader.quoted(host))",
                key: section.path(name), at: section.node(name))
        } else {
            settings.host = host
        }
    }

    static func readProtocol(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard let node = section.node(name) else {
            return
        }
        if let text = node.scalar?.string, let version = MQTTProtocolVersion(configText: text) {
            settings.protocolVersion = version
        } else {
            reader.report(
                "expected \"5\" or \"3.1.1\", got \(ConfigNodeReader.describe(node))",
                key: section.path(name), at: node)
        }
    }

    static func readClientID(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard let clientID = reader.string(name, in: section) else {
            return
        }
        if clientID.utf8.count > 65_535 {
            reader.report(
                "expected at most 65535 bytes, got \(clientID.utf8.count)",
                key: section.path(name), at: section.node(name))
        } else {
            settings.clientID = clientID
        }
    }

    /// A non-empty list of valid topic filters; kept only when every filter is valid.
    static func readTopics(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard
            let items = reader.list(
                name, in: section,
                describing: "a list of MQTT topic filters like [\"iiot/+/+/+/telemetry\"]")
        else {
            return
        }
        if items.isEmpty {
            reader.report(
                "expected at least one topic filter, got an empty list", key: section.path(name),
                at: section.node(name))
            return
        }
        var topics: [String] = []
        for (index, item) in items.enumerated() {
            let key = "\(section.path(name))[\(index)]"
            guard let filter = reader.string(item, key: key, describing: "an MQTT topic filter") else {
                continue
            }
            if let problem = ConfigValueParsers.topicFilterProblem(filter) {
                reader.report(problem, key: key, at: item)
            } else {
                topics.append(filter)
            }
        }
        if topics.count == items.count {
            settings.topics = topics
        }
    }

    static func readPasswordEnv(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard
            let variable = reader.string(
                name, in: section, describing: "an environment variable name", nullMeansAbsent: true)
        else {
            return
        }
        if isEnvironmentVariableName(variable) {
            settings.passwordEnv = variable
        } else {
            reader.report(
                "expected an environment variable name like GATEWAY_MQTT_PASSWORD (letters, "
                    + "digits and _, not starting with a digit), got \(ConfigNodeReader.quoted(variable))",
                key: section.path(name), at: section.node(name))
        }
    }

    /// The password file, resolved against the config file's directory; it must exist.
    static func readPasswordFile(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
        _ settings: inout MQTTSettings
    ) {
        guard
            let path = reader.string(name, in: section, describing: "a file path", nullMeansAbsent: true)
        else {
            return
        }
        let resolved = ConfigTextFile.resolve(path, against: reader.baseDirectory)
        settings.passwordFile = resolved
        if !FileManager.default.fileExists(atPath: resolved) {
            reader.report("password file not found: \(resolved)", key: section.path(name), at: section.node(name))
        }
    }

    /// One password source at most, and only with a user name.
    static func checkCredentials(
        _ section: ConfigNodeReader.Section, _ settings: MQTTSettings, reader: inout ConfigNodeReader
    ) {
        if settings.passwordEnv != nil && settings.passwordFile != nil {
            reader.report(
                "set either password_env or password_file, not both", key: section.path("password_file"),
                at: section.node("password_file"))
        }
        if settings.username == nil, settings.passwordEnv != nil || settings.passwordFile != nil {
            let key = settings.passwordEnv != nil ? "password_env" : "password_file"
            reader.report(
                "a password needs a user name; set mqtt.username", key: section.path(key),
                at: section.node(key))
        }
    }

    /// `max` is at least `initial`, checked only when both read cleanly.
    static func checkReconnectOrder(
        _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ settings: inout MQTTSettings,
        _ keysValid: Bool
    ) {
        guard keysValid, settings.reconnectMaxSeconds < settings.reconnectInitialSeconds else {
            return
        }
        let key = section.node("max") == nil ? "initial" : "max"
        reader.report(
            "expected max (\(settings.reconnectMaxSeconds)s) to be at least initial "
                + "(\(settings.reconnectInitialSeconds)s)",
            key: section.path(key), at: section.node(key))
    }

    /// Letters, digits and `_`, not starting with a digit.
    private static func isEnvironmentVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
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
