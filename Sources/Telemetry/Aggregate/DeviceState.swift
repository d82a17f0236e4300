/// What the aggregator keeps per device: its event-time watermark and its series.
///
/// Watermarks are per device, not global, so one device with a skewed clock or a
/// store-and-forward backlog does not make every other device's readings late.
struct DeviceState {
    let key: DeviceKey
    /// Highest event time accepted from this device; `.min` before the first reading.
    var maxEventMillis: Int64 = .min
    /// Windows ending at or before this instant are closed; readings before it are too late.
    var watermarkMillis: Int64 = .min
    /// Receive time of the device's latest message, to detect an idle device.
    var lastReceivedMillis: Int64 = .min
    /// Earliest end among the device's open windows, so idle devices cost nothing to check.
    var nextCloseMillis: Int64 = .max
    /// Indices into the aggregator's series table, and the same by metric name.
    var series: [Int] = []
    var seriesByMetric: [String: Int] = [:]

    init(key: DeviceKey) {
        self.key = key
    }
}
