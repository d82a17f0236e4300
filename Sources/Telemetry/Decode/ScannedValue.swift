/// A reading's value as the scanner found it: `DecodedValue` with a string left as its
/// position in the payload, so scanning allocates nothing.
enum ScannedValue {
    case number(Double)
    case string(StringToken)
    case bool(Bool)
    case null
    /// An object or array where a single value was expected.
    case composite
}

extension ScannedValue {
    /// The value with a string decoded by `scanner` (over the payload it was read from).
    func decoded(by scanner: JSONScanner) -> DecodedValue {
        switch self {
        case .number(let number): return .number(number)
        case .string(let token): return .string(scanner.string(from: token))
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .composite: return .composite
        }
    }
}
