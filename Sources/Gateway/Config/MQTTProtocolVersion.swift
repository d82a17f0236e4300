/// The MQTT protocol version the gateway speaks to the broker.
enum MQTTProtocolVersion: String, Sendable, CaseIterable, CustomStringConvertible {
    /// MQTT 3.1.1 (protocol level 4): the default, because libmosquitto 2.0 keeps a version 5
    /// session alive only until its first automatic reconnect (see `mqtt.protocol`).
    case v311 = "3.1.1"
    /// MQTT 5 (protocol level 5); gives reason codes on failures.
    case v5 = "5"

    /// Parses the forms accepted in YAML: `"5"`, `5`, `"5.0"`, `"3.1.1"`, `311`.
    init?(configText text: String) {
        switch text {
        case "5", "5.0", "v5": self = .v5
        case "3.1.1", "311", "v3.1.1": self = .v311
        default: return nil
        }
    }

    /// The protocol level byte sent in CONNECT (4 for 3.1.1, 5 for 5), as libmosquitto's
    /// `MQTT_PROTOCOL_V311` / `MQTT_PROTOCOL_V5` expect.
    var protocolLevel: Int {
        switch self {
        case .v311: 4
        case .v5: 5
        }
    }

    /// The version as operators write it: `5` or `3.1.1`.
    var description: String { rawValue }
}
