import Foundation

/// The payload of a Sparkplug B 3.0.0 host application's STATE message (specification section
/// 5.3 and 6.4.27): UTF-8 JSON `{"online":true,"timestamp":1765000000123}`, retained on
/// `spBv1.0/STATE/{host_id}`. Edge nodes that depend on the host read it; the timestamp lets them
/// tell a stale offline (a late will of an older connection) from a current one.
struct SparkplugStatePayload: Sendable, Equatable, Decodable {
    /// Whether the host application is connected and ready.
    var online: Bool
    /// UTC ms: for a will and the online message that follows it, the time of the CONNECT; for a
    /// clean shutdown's offline message, the time of the shutdown.
    var timestamp: Int64

    /// A STATE saying `online` as of `timestamp`.
    init(online: Bool, timestamp: Int64) {
        self.online = online
        self.timestamp = timestamp
    }

    /// Reads a STATE payload; `nil` unless it is a JSON object whose `online` is a boolean and
    /// `timestamp` an integer (other members are ignored).
    init?(decoding bytes: UnsafeRawBufferPointer) {
        guard let payload = try? JSONDecoder().decode(Self.self, from: Data(bytes)) else { return nil }
        self = payload
    }

    /// The JSON bytes, members in the specification's order.
    var bytes: [UInt8] {
        Array(#"{"online":\#(online),"timestamp":\#(timestamp)}"#.utf8)
    }
}
