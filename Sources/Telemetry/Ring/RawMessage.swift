/// One message as the consumer sees it inside `MessageRing.consume`: views straight into the
/// ring's storage, so reading a batch copies and allocates nothing.
///
/// The views are borrowed: they are valid only inside the `consume` body that received them,
/// because the ring reuses the bytes as soon as the batch is released. Copy what must outlive
/// the call. Deliberately not `Sendable`: a view must not leave the consumer thread.
public struct RawMessage {
    /// The MQTT topic bytes (UTF-8 as sent by the client; not validated by the ring).
    public let topic: UnsafeRawBufferPointer
    /// The payload bytes, exactly as received.
    public let payload: UnsafeRawBufferPointer
    /// When the MQTT thread received the message, in nanoseconds since the Unix epoch.
    public let receivedAtNanos: Int64
    /// The MQTT packet identifier the broker sent it with; 0 for QoS 0. A QoS 1 redelivery
    /// (after a crash before the PUBACK) carries the same identifier as the first delivery.
    public let packetID: UInt16
    /// Delivered with MQTT's retain flag: the broker's stored copy, sent again on every subscribe.
    public let retained: Bool
    /// The size of the whole payload as received; larger than `payload.count` when the payload
    /// was cut to fit the ring (`payload` is then its beginning).
    public let payloadBytes: Int
    /// Where the record starts in the ring: its identity, unique for the life of the ring file.
    public let position: Int
}
