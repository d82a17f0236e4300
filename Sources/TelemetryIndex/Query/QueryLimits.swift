/// Bounds on the work one query may do, so that no request can take the index's reader or the
/// machine for long.
public struct QueryLimits: Sendable, Equatable {
    /// Points (buckets × result series) a query may return; a larger one gets a 400 with both figures.
    public var maxPoints: Int
    /// Wall time a query may run before it is abandoned (503).
    public var timeout: Duration

    public init(maxPoints: Int = 100_000, timeout: Duration = .seconds(10)) {
        self.maxPoints = maxPoints
        self.timeout = timeout
    }
}
