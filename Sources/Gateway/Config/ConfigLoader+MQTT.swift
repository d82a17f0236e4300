import Foundation
import Telemetry
import Yams

/// Reading the `mqtt:` section: broker address, session, topics, credentials, TLS, reconnect.
extension ConfigLoader {

    static func readMQTT(
        _ node: Node?, reader: inout ConfigNodeReader, baseDirectory: String
    ) -> MQTTSettings {
        var settings = MQTTSettings()
        guard
            let section = reader.section(
                node, key: "mqtt", allowedKeys: mqttKeys, forbiddenKeys: ["password": passwordKeyMessage])
        else {
            return settings
        }
        if let host = reader.string("host", in: section, describing: "a host name or IP address") {
            if host.contains(where: \.isWhitespace) {
                reader.report(
                    "expected a host name or IP address without spaces, got \(ConfigNodeReader.quoted(host))",
                    key: "mqtt.host", at: section.node("host"))
            } else {
                settings.host = host
            }
        }
        settings.port = reader.integer("port", in: section, range: 1...65_535) ?? settings.port
        if let node = section.node("protocol") {
            if let text = node.scalar?.string, let version = MQTTProtocolVersion(configText: text) {
                settings.protocolVersion = version
            } else {
                reader.report(
                    "expected \"5\" or \"3.1.1\", got \(ConfigNodeReader.describe(node))",
                    key: "mqtt.protocol", at: node)
            }
        }
        if let clientID = reader.string("client_id", in: section) {
            if clientID.utf8.count > 65_535 {
                reader.report(
                    "expected at most 65535 bytes, got \(clientID.utf8.count)",
                    key: "mqtt.client_id", at: section.node("client_id"))
            } else {
                settings.clientID = clientID
            }
        }
        if let millis = reader.duration(
            "keepalive", in: section, range: 5 * second...65_535 * second, wholeSeconds: true)
        {
            settings.keepaliveSeconds = Int(millis / second)
        }
        settings.cleanSession = reader.bool("clean_session", in: section) ?? settings.cleanSession
        settings.qos = reader.integer("qos", in: section, range: 0...2) ?? settings.qos
        settings.topics = readTopics(section, reader: &reader) ?? settings.topics
        readCredentials(section, into: &settings, reader: &reader, baseDirectory: baseDirectory)
        settings.tls = readTLS(section.node("tls"), reader: &reader, baseDirectory: baseDirectory)
        if let reconnect = reader.section(
            section.node("reconnect"), key: "mqtt.reconnect", allowedKeys: reconnectKeys)
        {
            readReconnect(reconnect, into: &settings, reader: &reader)
        }
        return settings
    }

    private static func readReconnect(
        _ section: ConfigNodeReader.Section, into settings: inout MQTTSettings, reader: inout ConfigNodeReader
    ) {
        let issuesBefore = reader.issues.count
        if let millis = reader.duration("initial", in: section, range: second...hour, wholeSeconds: true) {
            settings.reconnectInitialSeconds = Int(millis / second)
        }
        if let millis = reader.duration("max", in: section, range: second...day, wholeSeconds: true) {
            settings.reconnectMaxSeconds = Int(millis / second)
        }
        guard reader.issues.count == issuesBefore,
            settings.reconnectMaxSeconds < settings.reconnectInitialSeconds
        else {
            return
        }
        let key = section.node("max") == nil ? "initial" : "max"
        reader.report(
            "expected max (\(settings.reconnectMaxSeconds)s) to be at least initial "
                + "(\(settings.reconnectInitialSeconds)s)",
            key: section.path(key), at: section.node(key))
    }

    private static func readTopics(_ section: ConfigNodeReader.Section, reader: inout ConfigNodeReader)
        -> [String]?
    {
        guard
            let items = reader.list(
                "topics", in: section,
                describing: "a list of MQTT topic filters like [\"iiot/+/+/+/telemetry\"]")
        else {
            return nil
        }
        if items.isEmpty {
            reader.report(
                "expected at least one topic filter, got an empty list", key: "mqtt.topics",
                at: section.node("topics"))
            return nil
        }
        var topics: [String] = []
        for (index, item) in items.enumerated() {
            let key = "mqtt.topics[\(index)]"
            guard let filter = reader.string(item, key: key, describing: "an MQTT topic filter") else {
                continue
            }
            if let problem = ConfigValueParsers.topicFilterProblem(filter) {
                reader.report(problem, key: key, at: item)
            } else {
                topics.append(filter)
            }
        }
        return topics.count == items.count ? topics : nil
    }

    private static func readCredentials(
        _ section: ConfigNodeReader.Section, into settings: inout MQTTSettings,
        reader: inout ConfigNodeReader, baseDirectory: String
    ) {
        settings.username = reader.string("username", in: section, nullMeansAbsent: true)
        if let name = reader.string(
            "password_env", in: section, describing: "an environment variable name", nullMeansAbsent: true)
        {
            if isEnvironmentVariableName(name) {
                settings.passwordEnv = name
            } else {
                reader.report(
                    "expected an environment variable name like GATEWAY_MQTT_PASSWORD (letters, "
                        + "digits and _, not starting with a digit), got \(ConfigNodeReader.quoted(name))",
                    key: "mqtt.password_env", at: section.node("password_env"))
            }
        }
        if let path = reader.string(
            "password_file", in: section, describing: "a file path", nullMeansAbsent: true)
        {
            let resolved = ConfigTextFile.resolve(path, against: baseDirectory)
            settings.passwordFile = resolved
            if !FileManager.default.fileExists(atPath: resolved) {
                reader.report(
                    "password file not found: \(resolved)", key: "mqtt.password_file",
                    at: section.node("password_file"))
            }
        }
        if settings.passwordEnv != nil && settings.passwordFile != nil {
            reader.report(
                "set either password_env or password_file, not both", key: "mqtt.password_file",
                at: section.node("password_file"))
        }
        if settings.username == nil, settings.passwordEnv != nil || settings.passwordFile != nil {
            let key = settings.passwordEnv != nil ? "password_env" : "password_file"
            reader.report(
                "a password needs a user name; set mqtt.username", key: "mqtt.\(key)",
                at: section.node(key))
        }
    }

    private static func isEnvironmentVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    private static func readTLS(
        _ node: Node?, reader: inout ConfigNodeReader, baseDirectory: String
    ) -> TLSSettings? {
        guard let section = reader.section(node, key: "mqtt.tls", allowedKeys: tlsKeys) else {
            return nil
        }
        var tls = TLSSettings()
        func path(_ name: String, directory: Bool) -> String? {
            guard
                let text = reader.string(name, in: section, describing: "a file path", nullMeansAbsent: true)
            else {
                return nil
            }
            let resolved = ConfigTextFile.resolve(text, against: baseDirectory)
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
            return resolved
        }
        tls.caFile = path("ca_file", directory: false)
        tls.caPath = path("ca_path", directory: true)
        tls.certFile = path("cert_file", directory: false)
        tls.keyFile = path("key_file", directory: false)
        tls.insecure = reader.bool("insecure", in: section) ?? tls.insecure
        if section.node("ca_file") == nil && section.node("ca_path") == nil {
            reader.report(
                "expected ca_file or ca_path, to check the broker's certificate (TLS is on because "
                    + "the tls section is present)",
                key: "mqtt.tls", mark: section.mark)
        }
        if (section.node("cert_file") == nil) != (section.node("key_file") == nil) {
            let present = section.node("cert_file") == nil ? "key_file" : "cert_file"
            let missing = present == "cert_file" ? "key_file" : "cert_file"
            reader.report(
                "\(present) needs \(missing): a client certificate and its private key go together",
                key: section.path(present), at: section.node(present))
        }
        return tls
    }
}
