/// Messages of Sparkplug B 3.0.0: every topic of the `spBv1.0` namespace the gateway receives.
/// A group is a park, an edge node a site, a device a device; an edge node's own metrics have
/// the edge node's id as their device.
public struct SparkplugSubscription: Sendable {
    /// The shortest time between two rebirth requests to one edge node, so that a node whose
    /// messages keep failing is not flooded with requests.
    public var rebirthIntervalMillis: Int64

    public init(rebirthIntervalMillis: Int64 = SparkplugSubscription.defaultRebirthIntervalMillis) {
        self.rebirthIntervalMillis = rebirthIntervalMillis
    }

    /// 5 s, as Eclipse Tahu's host does.
    public static let defaultRebirthIntervalMillis: Int64 = 5_000
}
