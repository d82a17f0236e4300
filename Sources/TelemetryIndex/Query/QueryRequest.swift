import Foundation

/// The parameters of `GET /api/v1/query` (and of the CLI's query command), parsed and checked together:
/// the time range, the step, the zone, the name filters, the grouping, the aggregates and the format.
public struct QueryRequest: Sendable, Equatable {
    /// Start of the range, epoch milliseconds, inclusive; before ``toMillis``.
    public var fromMillis: Int64
    /// End of the range, epoch milliseconds, exclusive.
    public var toMillis: Int64
    /// Bucket width.
    public var step: QueryStep
    /// The zone day steps follow (local midnights); `UTC` by default.
    public var timeZone: TimeZone
    /// The zone's name as asked (Foundation on Linux calls `UTC` "GMT"), for the response.
    public var timeZoneName: String
    /// Parks selected.
    public var park: NameFilter
    /// Sites selected.
    public var site: NameFilter
    /// Devices selected.
    public var device: NameFilter
    /// Metrics selected.
    public var metric: NameFilter
    /// How series are combined.
    public var groupBy: QueryGrouping
    /// Statistics computed per bucket, in the order asked, without duplicates.
    public var aggregates: [QueryAggregate]
    /// The body asked for, nil when the request did not say.
    public var format: QueryFormat?

    /// Every parameter name the query accepts; any other is refused, so that a typo (`stpe`) is not ignored.
    public static let acceptedParameterNames = [
        "from", "to", "park", "site", "device", "metric", "step", "tz", "group_by", "agg", "format",
    ]

    /// How far before now the range starts when `from` is absent: one hour.
    public static let defaultRangeMillis: Int64 = 3_600_000

    /// The zone when `tz` is absent.
    public static let defaultTimeZone = TimeZone(identifier: "UTC") ?? .gmt

    /// A request with every field given; ``parse(_:nowMillis:)`` is the way from the wire.
    public init(
        fromMillis: Int64, toMillis: Int64, step: QueryStep = .defaultStep, timeZone: TimeZone = defaultTimeZone,
        park: NameFilter = .any, site: NameFilter = .any, device: NameFilter = .any, metric: NameFilter = .any,
        groupBy: QueryGrouping = .device, aggregates: [QueryAggregate] = QueryAggregate.defaultList,
        format: QueryFormat? = nil
    ) {
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.step = step
        self.timeZone = timeZone
        self.timeZoneName = timeZone == Self.defaultTimeZone ? "UTC" : timeZone.identifier
        self.park = park
        self.site = site
        self.device = device
        self.metric = metric
        self.groupBy = groupBy
        self.aggregates = aggregates
        self.format = format
    }

    /// Parses the request's parameters (name and value pairs, already percent-decoded, in request order),
    /// with relative times counted back from `nowMillis`.
    ///
    /// Refuses an unknown name, a name given twice, any malformed value, and a `from` not before `to`.
    /// Absent parameters take their defaults: from an hour before now, to now, `1m`, UTC, any name, `device`,
    /// `count,mean,min,max`, no format.
    public static func parse(
        _ parameters: [(name: String, value: String)], nowMillis: Int64
    ) throws(QueryParameterError) -> QueryRequest {
        var values: [String: String] = [:]
        for (name, value) in parameters {
            guard acceptedParameterNames.contains(name) else {
                throw QueryParameterError(
                    parameter: name, value: value, problem: "not a known parameter (given \"\(value)\")",
                    expected: "one of " + acceptedParameterNames.joined(separator: ", "))
            }
            if let earlier = values[name] {
                throw QueryParameterError(
                    parameter: name, value: value, problem: "given twice (\"\(earlier)\" and \"\(value)\")",
                    expected: "each parameter at most once")
            }
            values[name] = value
        }

        let givenFrom = try time("from", values["from"], nowMillis: nowMillis)
        let toMillis = try time("to", values["to"], nowMillis: nowMillis) ?? nowMillis
        let fromMillis: Int64
        if let given = givenFrom {
            fromMillis = given
        } else {
            let (value, overflow) = nowMillis.subtractingReportingOverflow(defaultRangeMillis)
            guard !overflow else {
                throw QueryParameterError(
                    parameter: "from", value: "", problem: "the default, an hour before now, is out of range",
                    expected: "a from")
            }
            fromMillis = value
        }
        guard fromMillis < toMillis else {
            let fromText = values["from"].map { "\"\($0)\"" } ?? "an hour before now (the default)"
            let toText = values["to"].map { "to (\"\($0)\")" } ?? "to (now, the default)"
            throw QueryParameterError(
                parameter: "from", value: values["from"] ?? "", problem: "\(fromText) is not before \(toText)",
                expected: "a from earlier than to")
        }

        var request = QueryRequest(fromMillis: fromMillis, toMillis: toMillis)
        if let text = values["step"] { request.step = try QueryStep.parse(text) }
        if let text = values["tz"] {
            guard let zone = TimeZone(identifier: text) else {
                throw .invalid(
                    "tz", text, is: "is not a known time zone",
                    expected: "an IANA zone name such as UTC, Europe/Berlin or Asia/Ho_Chi_Minh")
            }
            request.timeZone = zone
            request.timeZoneName = text
        }
        request.park = try NameFilter.parse(values["park"] ?? "", parameter: "park")
        request.site = try NameFilter.parse(values["site"] ?? "", parameter: "site")
        request.device = try NameFilter.parse(values["device"] ?? "", parameter: "device")
        request.metric = try NameFilter.parse(values["metric"] ?? "", parameter: "metric")
        if let text = values["group_by"] { request.groupBy = try QueryGrouping.parse(text) }
        if let text = values["agg"] { request.aggregates = try QueryAggregate.parseList(text) }
        if let text = values["format"] { request.format = try QueryFormat.parse(text) }
        return request
    }

    /// The instant `text` names for `parameter` (`from` or `to`), nil when absent.
    private static func time(
        _ parameter: String, _ text: String?, nowMillis: Int64
    ) throws(QueryParameterError) -> Int64? {
        guard let text else { return nil }
        switch TimeExpression.read(text, nowMillis: nowMillis) {
        case .millis(let value):
            return value
        case .malformed:
            throw .invalid(parameter, text, is: "is not a time", expected: TimeExpression.expected)
        case .outOfRange:
            throw .invalid(
                parameter, text, is: "is too far from now to count in milliseconds",
                expected: TimeExpression.expected)
        }
    }
}
