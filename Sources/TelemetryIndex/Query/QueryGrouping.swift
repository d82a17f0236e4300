/// How a query's series are combined into the rows it answers with (`group_by`): one row set per device,
/// per site, per park, or all series together (`none`).
public enum QueryGrouping: String, Sendable, Hashable, CaseIterable {
    /// One result per device and metric (the default).
    case device
    /// Devices of the same site and metric combined.
    case site
    /// Sites of the same park and metric combined.
    case park
    /// Every selected series of a metric combined.
    case none

    /// What `group_by` accepts, as said in error messages.
    static let expected = "one of device, site, park, none"

    /// Parses the text of `group_by`: exactly one of the raw values.
    public static func parse(_ text: String) throws(QueryParameterError) -> QueryGrouping {
        guard let grouping = QueryGrouping(rawValue: text) else {
            throw .invalid("group_by", text, is: "is not a grouping", expected: expected)
        }
        return grouping
    }
}
