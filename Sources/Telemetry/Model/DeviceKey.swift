/// Identifies one device: where it is (park, site) and its id, as taken from the MQTT topic.
public struct DeviceKey: Sendable, Hashable {
    public var park: String
    public var site: String
    public var device: String

    public init(park: String, site: String, device: String) {
        self.park = park
        self.site = site
        self.device = device
    }
}
