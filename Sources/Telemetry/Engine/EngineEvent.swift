/// Something the engine has to tell an operator: a repair at start, a storage failure and its
/// end, a poison message set aside. The engine has no logging backend; its `EngineObserver`
/// decides where events go (the gateway sends them to its log).
public struct EngineEvent: Sendable, Equatable {
    /// How much an operator should care, in the order of swift-log's levels.
    public enum Level: Int, Sendable, Comparable {
        case info, notice, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var level: Level
    /// One sentence for a person: what happened, to which file, and what the engine does about it.
    public var message: String
    /// Values a log pipeline may want as fields (topic, path, sizes).
    public var metadata: [String: String]

    public init(_ level: Level, _ message: String, metadata: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}
