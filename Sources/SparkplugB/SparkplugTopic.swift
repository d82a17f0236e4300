/// A Sparkplug B topic (Sparkplug 3.0.0 sections 4.1 and 4.2): an edge node's or device's message, or a host
/// application's STATE.
///
/// Parsed from the topic's raw bytes (as MQTT delivers them) without Foundation. Ids are compared as bytes later
/// on, so they are kept exactly as received.
public enum SparkplugTopic: Sendable, Hashable {
    /// `spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]`: `deviceID` is present exactly for the
    /// device message types (DBIRTH DDATA DDEATH DCMD).
    case edge(groupID: String, messageType: SparkplugMessageType, edgeNodeID: String, deviceID: String?)
    /// `spBv1.0/STATE/{host_id}`: a host application's online state, a JSON payload (not protobuf).
    case state(hostID: String)

    /// The first level of every Sparkplug B topic.
    public static let namespace = "spBv1.0"

    /// Parses a topic from its bytes: `UnsafeRawBufferPointer`, `[UInt8]` or a `String`'s `utf8` view.
    ///
    /// - Throws: ``SparkplugTopicError`` saying what does not fit: not UTF-8, another namespace, an unknown
    ///   message type, the wrong number of levels for the type (a device level on an N* type, none on a D* type),
    ///   an empty id, or a wildcard in one.
    public init(parsing topic: some Sequence<UInt8>) throws(SparkplugTopicError) {
        guard let text = String(validating: topic, as: UTF8.self) else { throw .invalidUTF8 }
        let levels = text.split(separator: "/", omittingEmptySubsequences: false)
        guard levels[0] == Self.namespace else { throw .notSparkplugNamespace }
        if levels.count == 3 && levels[1] == "STATE" {
            self = .state(hostID: try Self.id(levels, 3))
            return
        }
        guard levels.count >= 3 else { throw .wrongLevelCount(nil, levels: levels.count) }
        guard let messageType = SparkplugMessageType(rawValue: String(levels[2])) else {
            if levels[1] == "STATE" { throw .wrongLevelCount(nil, levels: levels.count) }
            throw .unknownMessageType(String(levels[2]))
        }
        guard levels.count == (messageType.hasDevice ? 5 : 4) else {
            throw .wrongLevelCount(messageType, levels: levels.count)
        }
        self = .edge(
            groupID: try Self.id(levels, 2),
            messageType: messageType,
            edgeNodeID: try Self.id(levels, 4),
            deviceID: messageType.hasDevice ? try Self.id(levels, 5) : nil
        )
    }

    /// The id at `level` (numbered from 1): non-empty and free of wildcards.
    private static func id(_ levels: [Substring], _ level: Int) throws(SparkplugTopicError) -> String {
        let id = levels[level - 1]
        guard !id.isEmpty else { throw .emptyLevel(level) }
        guard !id.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) else {
            throw .wildcardInLevel(level)
        }
        return String(id)
    }
}
