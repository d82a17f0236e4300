/// Why a topic is not a Sparkplug B topic this module understands.
public enum SparkplugTopicError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The topic is not valid UTF-8 (MQTT topics must be).
    case invalidUTF8
    /// The first level is not `spBv1.0` (the topic may still be anyone else's).
    case notSparkplugNamespace
    /// The third level is none of NBIRTH NDATA NDEATH DBIRTH DDATA DDEATH NCMD DCMD.
    case unknownMessageType(String)
    /// The topic has the wrong number of levels for its message type (`nil`: a STATE topic, or too few levels
    /// to have a type at all).
    case wrongLevelCount(SparkplugMessageType?, levels: Int)
    /// A group, edge node, device or host id level (numbered from 1) is empty.
    case emptyLevel(Int)
    /// A level (numbered from 1) contains the wildcard `+` or `#`, which no Sparkplug id may contain.
    case wildcardInLevel(Int)

    public var description: String {
        switch self {
        case .invalidUTF8:
            "the topic is not valid UTF-8"
        case .notSparkplugNamespace:
            "the topic does not start with spBv1.0/"
        case .unknownMessageType(let type):
            "unknown Sparkplug message type '\(type)' (expected NBIRTH, NDATA, NDEATH, DBIRTH, DDATA, DDEATH, NCMD or DCMD)"
        case .wrongLevelCount(let type?, let levels):
            "a \(type.rawValue) topic has \(type.hasDevice ? 5 : 4) levels "
                + "(spBv1.0/group/\(type.rawValue)/edge\(type.hasDevice ? "/device" : "")), this one has \(levels)"
        case .wrongLevelCount(nil, let levels):
            "a Sparkplug topic has 3 levels (spBv1.0/STATE/host) or 4 to 5 (spBv1.0/group/type/edge[/device]), "
                + "this one has \(levels)"
        case .emptyLevel(let level):
            "level \(level) of the topic is empty"
        case .wildcardInLevel(let level):
            "level \(level) of the topic contains a wildcard (+ or #)"
        }
    }
}
