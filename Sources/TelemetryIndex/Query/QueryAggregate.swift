/// One statistic a query computes per bucket (`agg`); raw values are the names on the wire.
public enum QueryAggregate: String, Sendable, Hashable, CaseIterable {
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
    case stateMs = "state_ms"
    /// Share of the bucket spent in each state (state metrics).
    case stateShare = "state_share"

    /// The aggregates when the request has no `agg`: `count,mean,min,max`.
    public static let defaultList: [QueryAggregate] = [.count, .mean, .min, .max]

    /// What `agg` accepts, as said in error messages.
    static let expected = "a comma list of " + allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses the text of `agg`: a comma list of raw values, duplicates dropped, order kept.
    /// Quantiles (`p95`, `q0.999`) are refused with their own reason: rollups carry no quantile sketch yet.
    public static func parseList(_ text: String) throws(QueryParameterError) -> [QueryAggregate] {
        guard !text.isEmpty else { throw .invalid("agg", text, is: "is empty", expected: expected) }
        var list: [QueryAggregate] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(item)
            if let aggregate = QueryAggregate(rawValue: name) {
                if !list.contains(aggregate) { list.append(aggregate) }
            } else if name.isEmpty {
                throw QueryParameterError(
                    parameter: "agg", value: text, problem: "\"\(text)\" has an empty item in its list", expected: expected)
            } else if isQuantile(name) {
                throw .invalid(
                    "agg", text, item: name,
                    is: "is a quantile, and quantiles are not available yet because rollups carry no quantile sketch",
                    expected: expected)
            } else {
                throw .invalid("agg", text, item: name, is: "is not an aggregate", expected: expected)
            }
        }
        return list
    }

    /// True for `p1`…`p99` and `q0.` followed by digits, not all zero (a quantile strictly between 0 and 1).
    static func isQuantile(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes.first == UInt8(ascii: "p") {
            let digits = bytes.dropFirst()
            return (1...2).contains(digits.count) && digits.allSatisfy(isDigit) && digits.contains { $0 != UInt8(ascii: "0") }
        }
        if bytes.starts(with: Array("q0.".utf8)) {
            let digits = bytes.dropFirst(3)
            return !digits.isEmpty && digits.allSatisfy(isDigit) && digits.contains { $0 != UInt8(ascii: "0") }
        }
        return false
    }
}
