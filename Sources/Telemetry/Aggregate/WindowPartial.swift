/// The aggregate of one window, shaped by the metric's kind.
public enum WindowPartial: Sendable, Equatable {
    /// Gauges and counters.
    case numeric(NumericPartial)
    case state(StatePartial)

    /// An empty partial for a metric of `kind`.
    public init(kind: MetricKind) {
        switch kind {
        case .gauge, .counter: self = .numeric(NumericPartial())
        case .state: self = .state(StatePartial())
        }
    }

    /// Readings aggregated in the window.
    public var count: Int {
        switch self {
        case .numeric(let partial): return partial.count
        case .state(let partial): return partial.count
        }
    }
}
