/// The JSON value a reading carries in a payload: a number for gauges and counters, a string for
/// states, and, in `wrong_type` faults, whatever JSON type does not belong there.
enum ReadingValue: Sendable, Equatable {
    /// A JSON number, written with `Double.description` (shortest round-trip form).
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON `true` or `false`.
    case bool(Bool)
}
