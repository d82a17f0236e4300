/// A query's answer: for each result series, its points, each the exact merge of the rollup
/// partials in one bucket.
public struct QueryResult: Sendable {
    /// One bucket with data.
    public struct Point: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var merge: PartialMerge
    }

    /// One group's points in time order.
    public struct Series: Sendable {
        public var group: QueryGroup
        public var kind: String
        public var unit: String
        public var points: [Point]
    }

    public var request: QueryRequest
    /// The stored tier the points were merged from (ms).
    public var tierMillis: Int64
    public var series: [Series]
}
