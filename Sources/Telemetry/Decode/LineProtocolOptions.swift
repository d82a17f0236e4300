/// How a subscription reads InfluxDB line protocol: the timestamps' unit, which tags name the
/// device, and how a field becomes a metric name.
public struct LineProtocolOptions: Sendable, Equatable {
    /// The unit of a line's timestamp (InfluxDB's `precision`).
    public enum Precision: String, Sendable, CaseIterable {
        case nanoseconds = "ns"
        case microseconds = "us"
        case milliseconds = "ms"
        case seconds = "s"

        /// `value` of this unit in milliseconds, rounded down (also before 1970); nil when seconds
        /// overflow 64 bits as milliseconds.
        func milliseconds(_ value: Int64) -> Int64? {
            let divisor: Int64
            switch self {
            case .seconds:
                let (millis, overflow) = value.multipliedReportingOverflow(by: 1_000)
                return overflow ? nil : millis
            case .milliseconds: return value
            case .microseconds: divisor = 1_000
            case .nanoseconds: divisor = 1_000_000
            }
            let quotient = value / divisor
            return value % divisor < 0 ? quotient - 1 : quotient
        }
    }

    /// How a field is named as a metric.
    public enum MetricNaming: String, Sendable, CaseIterable {
        /// The field key alone: `machine,host=m1 temperature_c=71.5` is `temperature_c`.
        case field
        /// Measurement and field key joined by `_`: the same line is `machine_temperature_c`.
        case measurementField = "measurement_field"
    }

    public var precision: Precision
    /// The tags whose values name the park, site and device (tag keys, compared by their bytes
    /// once unescaped); a level without one comes from the subscription's topic pattern.
    public var parkTag: String?
    public var siteTag: String?
    public var deviceTag: String?
    public var metricNaming: MetricNaming

    public init(
        precision: Precision = .nanoseconds, parkTag: String? = nil, siteTag: String? = nil, deviceTag: String? = nil,
        metricNaming: MetricNaming = .field
    ) {
        self.precision = precision
        self.parkTag = parkTag
        self.siteTag = siteTag
        self.deviceTag = deviceTag
        self.metricNaming = metricNaming
    }

    /// The levels (`park`, `site`, `device`) no tag names, which the topic pattern must.
    public var levelsFromTopic: [String] {
        [("park", parkTag), ("site", siteTag), ("device", deviceTag)].filter { $0.1 == nil }.map(\.0)
    }
}
