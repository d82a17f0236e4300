/// The engine cannot start: a setting that does not fit the data directory, or a first
/// checkpoint that cannot be written. The description says what to change.
public struct EngineError: Error, CustomStringConvertible {
    public let description: String
}
