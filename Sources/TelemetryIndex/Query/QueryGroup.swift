/// The names a result series is grouped by: the metric always, then the park, site and device
/// as far as `group_by` keeps them (nil for the names merged away).
public struct QueryGroup: Sendable, Hashable {
    public var park: [UInt8]?
    public var site: [UInt8]?
    public var device: [UInt8]?
    public var metric: [UInt8]

    /// The group of `series` under `grouping`.
    public init(_ series: SeriesName, grouping: QueryGrouping) {
        metric = series.metric
        switch grouping {
        case .device: (park, site, device) = (series.park, series.site, series.device)
        case .site: (park, site, device) = (series.park, series.site, nil)
        case .park: (park, site, device) = (series.park, nil, nil)
        case .none: (park, site, device) = (nil, nil, nil)
        }
    }

    /// The group's names in the documented order, as (field, bytes).
    public var fields: [(name: String, bytes: [UInt8])] {
        var fields: [(String, [UInt8])] = []
        if let park { fields.append(("park", park)) }
        if let site { fields.append(("site", site)) }
        if let device { fields.append(("device", device)) }
        fields.append(("metric", metric))
        return fields
    }

    /// The field names a grouping keeps, in order.
    static func fieldNames(_ grouping: QueryGrouping) -> [String] {
        switch grouping {
        case .device: ["park", "site", "device", "metric"]
        case .site: ["park", "site", "metric"]
        case .park: ["park", "metric"]
        case .none: ["metric"]
        }
    }

    /// Byte order of the fields, for a stable result order.
    static func precedes(_ lhs: QueryGroup, _ rhs: QueryGroup) -> Bool {
        let left = [lhs.park ?? [], lhs.site ?? [], lhs.device ?? [], lhs.metric]
        let right = [rhs.park ?? [], rhs.site ?? [], rhs.device ?? [], rhs.metric]
        for (a, b) in zip(left, right) where a != b { return a.lexicographicallyPrecedes(b) }
        return false
    }
}
