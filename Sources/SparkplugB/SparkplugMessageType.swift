/// The message type level of a Sparkplug B topic (`spBv1.0/{group}/{type}/{edge}[/{device}]`),
/// Sparkplug 3.0.0 section 4.1.
///
/// The host STATE message is not among them: its topic has a shape of its own (`spBv1.0/STATE/{host_id}`),
/// see ``SparkplugTopic/state(hostID:)``.
public enum SparkplugMessageType: String, Sendable, Hashable, CaseIterable {
    /// An edge node's birth certificate: every metric it will send, with name, datatype and value.
    case nodeBirth = "NBIRTH"
    /// An edge node's metrics that changed.
    case nodeData = "NDATA"
    /// An edge node's death certificate (its MQTT Will, or sent before disconnecting).
    case nodeDeath = "NDEATH"
    /// A device's birth certificate, after its edge node's NBIRTH.
    case deviceBirth = "DBIRTH"
    /// A device's metrics that changed.
    case deviceData = "DDATA"
    /// A device's death certificate, sent by its edge node.
    case deviceDeath = "DDEATH"
    /// A command to an edge node (such as `Node Control/Rebirth`).
    case nodeCommand = "NCMD"
    /// A command to a device.
    case deviceCommand = "DCMD"

    /// Whether the topic names a device after the edge node (D* types): exactly these have five levels.
    public var hasDevice: Bool {
        switch self {
        case .deviceBirth, .deviceData, .deviceDeath, .deviceCommand: true
        case .nodeBirth, .nodeData, .nodeDeath, .nodeCommand: false
        }
    }
}
