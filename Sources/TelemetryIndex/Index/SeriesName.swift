/// The four names that identify a series, as the UTF-8 bytes devices sent: two names that
/// differ only in Unicode normalization are two series, as in ingest.
public struct SeriesName: Sendable, Hashable {
    public var park: [UInt8]
    public var site: [UInt8]
    public var device: [UInt8]
    public var metric: [UInt8]

    public init(park: [UInt8], site: [UInt8], device: [UInt8], metric: [UInt8]) {
        self.park = park
        self.site = site
        self.device = device
        self.metric = metric
    }
}
