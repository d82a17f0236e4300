/// A reading's value as a rollup record carries it: a number (gauges, counters) or a state name.
public enum RecordedValue: Sendable, Equatable {
    case number(Double)
    /// A machine state, as the bytes the device sent.
    case state([UInt8])
}
