/// A Sparkplug B payload as `SparkplugPayloadScanner` found it, reused from message to message so
/// that scanning allocates nothing once `metrics` has grown to the largest payload's size.
struct ScannedSparkplugPayload {
    /// Publish time, ms since the Unix epoch.
    var timestamp: UInt64?
    /// 0–255; absent in NDEATH and commands.
    var seq: UInt64?
    /// In payload order; one metric may appear several times.
    var metrics: [ScannedSparkplugMetric] = []

    mutating func removeAll() {
        timestamp = nil
        seq = nil
        metrics.removeAll(keepingCapacity: true)
    }
}
