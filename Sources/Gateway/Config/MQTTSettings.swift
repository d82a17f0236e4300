import Foundation

/// How the gateway connects to the MQTT broker and what it subscribes to.
///
/// The password is never part of the configuration file: it comes from the environment
/// variable named by `passwordEnv` or the first line of `passwordFile`, read at connect time
/// by `resolvePassword(environment:)`.
struct MQTTSettings: Sendable, Equatable {
    /// Broker host name or IP address.
    var host = "127.0.0.1"
    /// Broker TCP port, 1 … 65535 (1883 plain, usually 8883 with TLS).
    var port = 1883
    /// MQTT version spoken to the broker.
    var protocolVersion: MQTTProtocolVersion = .v311
    /// Client identifier (1 … 65535 UTF-8 bytes); a second gateway with the same ID makes the
    /// broker disconnect the first, so give each instance its own.
    var clientID = "telemetry-gateway"
    /// Seconds between keep-alive pings, 5 … 65535.
    var keepaliveSeconds = 30
    /// When false the broker keeps the subscription and queues QoS 1/2 messages while the
    /// gateway is down, so a restart loses nothing.
    var cleanSession = false
    /// Subscription QoS, 0 … 2; 1 gives at-least-once delivery (duplicates dropped by `seq`).
    var qos = 1
    /// Topic filters subscribed to; non-empty, each a valid MQTT filter.
    var topics = ["iiot/+/+/+/telemetry"]
    /// Broker user name; `nil` connects anonymously.
    var username: String?
    /// Name of the environment variable holding the password.
    var passwordEnv: String?
    /// File whose first line is the password, resolved against the config file's directory.
    var passwordFile: String?
    /// TLS settings; TLS is on exactly when this is non-`nil`.
    var tls: TLSSettings?
    /// First delay before reconnecting after the broker is lost, in seconds.
    var reconnectInitialSeconds = 1
    /// Longest delay between reconnect attempts (the delay doubles up to it), in seconds;
    /// always ≥ `reconnectInitialSeconds`.
    var reconnectMaxSeconds = 30

    /// All defaults.
    init() {}

    /// The broker password from `passwordEnv` or `passwordFile`, or `nil` when neither is set.
    /// Throws `PasswordError` naming the variable or file when it is set but unusable.
    func resolvePassword(environment: [String: String]) throws(PasswordError) -> String? {
        if let name = passwordEnv {
            guard let value = environment[name] else {
                throw .environmentVariableNotSet(name: name)
            }
            guard !value.isEmpty else {
                throw .environmentVariableEmpty(name: name)
            }
            return value
        }
        if let path = passwordFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .fileUnreadable(path: path)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .fileNotText(path: path)
            }
            let firstLine = text.unicodeScalars.prefix { $0 != "\n" && $0 != "\r" }
            guard !firstLine.isEmpty else {
                throw .fileEmpty(path: path)
            }
            return String(String.UnicodeScalarView(firstLine))
        }
        return nil
    }

    /// Why the broker password could not be obtained; the description names the variable or
    /// file and the config key that points at it.
    enum PasswordError: Error, CustomStringConvertible, Equatable {
        /// `password_env` names a variable that is not in the environment.
        case environmentVariableNotSet(name: String)
        /// `password_env` names a variable that is set to the empty string.
        case environmentVariableEmpty(name: String)
        /// `password_file` does not exist or cannot be read.
        case fileUnreadable(path: String)
        /// `password_file` is not UTF-8 text.
        case fileNotText(path: String)
        /// `password_file`'s first line is empty.
        case fileEmpty(path: String)

        /// One sentence for the operator, naming the key, the variable or file, and the fix.
        var description: String {
            switch self {
            case .environmentVariableNotSet(let name):
                "mqtt.password_env: the environment variable \(name) is not set; "
                    + "export it with the broker password before starting the gateway"
            case .environmentVariableEmpty(let name):
                "mqtt.password_env: the environment variable \(name) is empty; "
                    + "it must hold the broker password"
            case .fileUnreadable(let path):
                "mqtt.password_file: cannot read \(path) (missing, or not readable by this user)"
            case .fileNotText(let path):
                "mqtt.password_file: \(path) is not UTF-8 text"
            case .fileEmpty(let path):
                "mqtt.password_file: the first line of \(path) is empty; it must be the password"
            }
        }
    }
}
