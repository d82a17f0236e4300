/// Identifies one device: where it is (park, site) and its id, as taken from the MQTT topic.
///
/// Equal, hashed and ordered by the UTF-8 bytes of park, site and device (see `Name`), as MQTT
/// compares topics: ids that differ only in Unicode normalisation are two devices.
public struct DeviceKey: Sendable, Hashable, Comparable {
    /// The industrial park, exactly as the topic spells it.
    public var park: String
    /// The site (factory, station) within the park, exactly as the topic spells it.
    public var site: String
    /// The device id, exactly as the topic spells it.
    public var device: String

    /// A key of the given names, kept in their exact spelling.
    public init(park: String, site: String, device: String) {
        self.park = park
        self.site = site
        self.device = device
    }

    /// True when park, site and device have the same bytes in both keys.
    public static func == (lhs: DeviceKey, rhs: DeviceKey) -> Bool {
        Name.bytesEqual(lhs.device, rhs.device) && Name.bytesEqual(lhs.site, rhs.site)
            && Name.bytesEqual(lhs.park, rhs.park)
    }

    /// Hashes the bytes of park, site and device.
    public func hash(into hasher: inout Hasher) {
        Name.hashBytes(of: park, into: &hasher)
        Name.hashBytes(of: site, into: &hasher)
        Name.hashBytes(of: device, into: &hasher)
    }

    /// Byte order of park, then site, then device.
    public static func < (lhs: DeviceKey, rhs: DeviceKey) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Negative, zero or positive as `lhs` comes before, equals or comes after `rhs` in byte order.
    static func compare(_ lhs: DeviceKey, _ rhs: DeviceKey) -> Int {
        let park = Name.compareBytes(lhs.park, rhs.park)
        if park != 0 { return park }
        let site = Name.compareBytes(lhs.site, rhs.site)
        if site != 0 { return site }
        return Name.compareBytes(lhs.device, rhs.device)
    }
}
