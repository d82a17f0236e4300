/// The keys of `mqtt:` and `mqtt.reconnect:`: the broker, the session, the subscriptions and
/// the credentials. The rules beyond a type and a range are in `ConfigKeys+MQTTRules.swift`;
/// `mqtt.tls:` is in `ConfigKeys+TLS.swift`.
extension ConfigKeys {
    /// `mqtt:`, read into `MQTTSettings`.
    static let mqtt = ConfigSection<MQTTSettings>(
        "mqtt",
        keys: [
            ConfigKey(
                "mqtt.host", type: "string", default: "`127.0.0.1`",
                meaning: "Broker host name or IP address.",
                read: .custom(readHost)),
            ConfigKey(
                "mqtt.port", type: "integer 1…65535", default: "`1883`",
                meaning: "Broker TCP port (TLS brokers usually listen on 8883).",
                read: .integer(\.port, range: 1...65_535)),
            ConfigKey(
                "mqtt.protocol", type: #"`"3.1.1"` or `"5"`"#, default: #"`"3.1.1"`"#,
                meaning: "MQTT version; `5` and `311` are accepted unquoted. 3.1.1 is the default because "
                    + "its persistent session lasts until the broker expires it; libmosquitto 2.0 sends "
                    + "MQTT 5's session-expiry interval only on the first connection, not on its automatic "
                    + "reconnects, so after a reconnect a version 5 session ends at the next disconnect "
                    + "(the gateway logs a warning).",
                read: .custom(readProtocol)),
            ConfigKey(
                "mqtt.client_id", type: "string, 1…65535 bytes", default: "`telemetry-gateway`",
                meaning: "MQTT client identifier. Give every gateway instance its own: the broker "
                    + "disconnects the older of two connections with the same ID.",
                read: .custom(readClientID)),
            ConfigKey(
                "mqtt.keepalive", type: "duration, whole seconds, 5s…65535s", default: "`30s`",
                meaning: "Keep-alive interval; the broker drops the connection after 1.5× this without "
                    + "traffic.",
                read: .seconds(\.keepaliveSeconds, range: 5 * second...65_535 * second)),
            ConfigKey(
                "mqtt.clean_session", type: "boolean", default: "`false`",
                meaning: "`false` keeps the subscription and queued QoS 1/2 messages at the broker while "
                    + "the gateway is down, so a restart loses nothing.",
                read: .bool(\.cleanSession)),
            ConfigKey(
                "mqtt.qos", type: "integer 0…2", default: "`1`",
                meaning: "Subscription QoS. 1 = at-least-once; duplicates are dropped by the payload's "
                    + "`seq`.",
                read: .integer(\.qos, range: 0...2)),
            ConfigKey(
                "mqtt.topics", type: "list of topic filters, non-empty", default: #"`["iiot/+/+/+/telemetry"]`"#,
                meaning: "Filters subscribed to. `+` must be a whole level; `#` a whole level and the last.",
                read: .custom(readTopics)),
            ConfigKey(
                "mqtt.username", type: "string", default: "unset (anonymous)",
                meaning: "Broker user name.",
                read: .custom { reader, section, name, settings in
                    settings.username = reader.string(name, in: section, nullMeansAbsent: true)
                }),
            ConfigKey(
                "mqtt.password_env", type: "environment variable name", default: "unset",
                meaning: "Name of the environment variable holding the broker password. Needs `username`.",
                read: .custom(readPasswordEnv)),
            ConfigKey(
                "mqtt.password_file", type: "path", default: "unset",
                meaning: "File whose first line is the password (line ending stripped); must exist. Needs "
                    + "`username`; not together with `password_env`.",
                read: .custom(readPasswordFile)),
            ConfigKey(
                forbidden: "mqtt.password", type: "—", default: "—",
                meaning: "Always an error: a password never goes in the config file. Use `password_env` "
                    + "or `password_file`.",
                message: "a password is never read from the config file; set password_env to the name of "
                    + "an environment variable that holds it, or password_file to a file whose first line "
                    + "is it"),
            ConfigKey(
                section: "mqtt.tls", type: "section", default: "absent (TLS off)",
                meaning: "TLS to the broker is on exactly when this section is present; see below.",
                read: .custom { reader, section, name, settings in
                    var tlsSettings = TLSSettings()
                    if tls.read(section.node(name), into: &tlsSettings, reader: &reader) {
                        settings.tls = tlsSettings
                    }
                }),
        ],
        inlineSections: [reconnect],
        check: { reader, section, settings, _ in checkCredentials(section, settings, reader: &reader) })

    /// `mqtt.reconnect:`, read into `MQTTSettings` and documented in `mqtt`'s table.
    static let reconnect = ConfigSection<MQTTSettings>(
        "mqtt.reconnect",
        keys: [
            ConfigKey(
                "mqtt.reconnect.initial", type: "duration, whole seconds, 1s…1h", default: "`1s`",
                meaning: "First wait before reconnecting after the broker is lost.",
                read: .seconds(\.reconnectInitialSeconds, range: second...hour)),
            ConfigKey(
                "mqtt.reconnect.max", type: "duration, whole seconds, 1s…1d, ≥ `initial`", default: "`30s`",
                meaning: "Longest wait between reconnect attempts.",
                read: .seconds(\.reconnectMaxSeconds, range: second...day)),
        ],
        check: checkReconnectOrder)
}
