/// A reading's value as it appeared in the payload, before the catalogue says what it should be.
public enum DecodedValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    /// An object or array where a single value was expected.
    case composite

    /// The JSON type's name, for quarantine details such as "expected a number, got a string".
    public var typeName: String {
        switch self {
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .null: return "null"
        case .composite: return "an object or array"
        }
    }
}
