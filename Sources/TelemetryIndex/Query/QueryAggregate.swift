/// One statistic a query computes per bucket (`agg`); ``name`` is its name on the wire.
public enum QueryAggregate: Sendable, Hashable {
    /// Number of readings.
    case count
    /// Sum of the readings.
    case sum
    /// Smallest reading.
    case min
    /// Largest reading.
    case max
    /// Arithmetic mean.
    case mean
    /// Standard deviation (merged from the rollups' M2).
    case stddev
    /// Earliest reading in the bucket.
    case first
    /// Latest reading in the bucket.
    case last
    /// Counter increase over the bucket, resets accounted for.
    case increase
    /// Counter increase per second.
    case rate
    /// Milliseconds spent in each state (state metrics).
    case stateMs
    /// Share of the bucket spent in each state (state metrics).
    case stateShare
    /// Changes of state, summed over the windows that state them (state metrics).
    case transitions
    /// Up time over planned time (state metrics whose every window states both).
    case availability
    /// The longest continuous fault of any one series, joined across adjacent windows (state metrics).
    case longestFaultMs
    /// A quantile of the readings (gauges), from the merge of the windows' quantile sketches.
    case quantile(QueryQuantile)

    /// The aggregates named by a word of their own, in the documented order (quantiles aside).
    public static let named: [QueryAggregate] = [
        .count, .sum, .min, .max, .mean, .stddev, .first, .last, .increase, .rate, .stateMs, .stateShare, .transitions,
        .availability, .longestFaultMs,
    ]

    /// The aggregates when the request has no `agg`: `count,mean,min,max`.
    public static let defaultList: [QueryAggregate] = [.count, .mean, .min, .max]

    /// What `agg` accepts, as said in error messages.
    static let expected =
        "a comma list of " + named.map(\.name).joined(separator: ", ")
        + ", or quantiles: p1 to p99, or q0. and digits (q0.999)"

    /// The name on the wire: `agg`'s item, the result's field and CSV column; a quantile's as asked.
    public var name: String {
        switch self {
        case .count: "count"
        case .sum: "sum"
        case .min: "min"
        case .max: "max"
        case .mean: "mean"
        case .stddev: "stddev"
        case .first: "first"
        case .last: "last"
        case .increase: "increase"
        case .rate: "rate"
        case .stateMs: "state_ms"
        case .stateShare: "state_share"
        case .transitions: "transitions"
        case .availability: "availability"
        case .longestFaultMs: "longest_fault_ms"
        case .quantile(let quantile): quantile.name
        }
    }

    /// The aggregate `name` names (a word of ``named``, or a quantile), nil for anything else.
    public init?(name: String) {
        if let aggregate = Self.named.first(where: { $0.name == name }) {
            self = aggregate
        } else if let quantile = QueryQuantile(name: name) {
            self = .quantile(quantile)
        } else {
            return nil
        }
    }

    /// Parses the text of `agg`: a comma list of names, duplicates dropped, order kept.
    public static func parseList(_ text: String) throws(QueryParameterError) -> [QueryAggregate] {
        guard !text.isEmpty else { throw .invalid("agg", text, is: "is empty", expected: expected) }
        var list: [QueryAggregate] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(item)
            if let aggregate = QueryAggregate(name: name) {
                if !list.contains(aggregate) { list.append(aggregate) }
            } else if name.isEmpty {
                throw QueryParameterError(
                    parameter: "agg", value: text, problem: "\"\(text)\" has an empty item in its list", expected: expected)
            } else {
                throw .invalid("agg", text, item: name, is: "is not an aggregate", expected: expected)
            }
        }
        return list
    }
}
