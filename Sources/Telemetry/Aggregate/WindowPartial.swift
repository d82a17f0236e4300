/// The aggregate of one window, shaped by the metric's kind.
public enum WindowPartial: Sendable, Equatable {
    /// Gauges and counters.
    case numeric(NumericPartial)
    case state(StatePartial)

    /// Readings aggregated in the window.
    public var count: Int {
        switch self {
        case .numeric(let partial): return partial.count
        case .state(let partial): return partial.count
        }
    }
}
