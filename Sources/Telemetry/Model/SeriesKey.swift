/// One series: a metric of a device. Windows and rollups are kept per series and tier.
public struct SeriesKey: Sendable, Hashable {
    public var device: DeviceKey
    public var metric: String

    public init(device: DeviceKey, metric: String) {
        self.device = device
        self.metric = metric
    }
}
