/// One series: a metric of a device. Windows and rollups are kept per series and tier.
///
/// Equal, hashed and ordered by bytes (see `Name`): by device, then by the metric name's UTF-8
/// bytes.
public struct SeriesKey: Sendable, Hashable, Comparable {
    /// The device the series belongs to.
    public var device: DeviceKey
    /// The metric name, in the exact spelling of the series' definition.
    public var metric: String

    /// The series of `metric` on `device`.
    public init(device: DeviceKey, metric: String) {
        self.device = device
        self.metric = metric
    }

    /// True when the devices are equal and the metric names have the same bytes.
    public static func == (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        Name.bytesEqual(lhs.metric, rhs.metric) && lhs.device == rhs.device
    }

    /// Hashes the device and the metric name's bytes.
    public func hash(into hasher: inout Hasher) {
        device.hash(into: &hasher)
        Name.hashBytes(of: metric, into: &hasher)
    }

    /// Device order, then the metric name's byte order.
    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        let device = DeviceKey.compare(lhs.device, rhs.device)
        return device != 0 ? device < 0 : Name.compareBytes(lhs.metric, rhs.metric) < 0
    }
}
