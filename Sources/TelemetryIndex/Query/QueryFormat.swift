/// The body a query answers with (`format`); absent means the caller decides (e.g. from `Accept`).
public enum QueryFormat: String, Sendable, Hashable, CaseIterable {
    /// A JSON document.
    case json
    /// Comma-separated values with a header line.
    case csv

    /// What `format` accepts, as said in error messages.
    static let expected = "json or csv"

    /// Parses the text of `format`: exactly `json` or `csv`.
    public static func parse(_ text: String) throws(QueryParameterError) -> QueryFormat {
        guard let format = QueryFormat(rawValue: text) else {
            throw .invalid("format", text, is: "is not a format", expected: expected)
        }
        return format
    }
}
