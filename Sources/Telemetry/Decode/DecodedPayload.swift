/// Everything the decoder took from one message: its optional sequence number and readings.
///
/// What `PayloadDecoder.decode` fills in, for tools and tests; the pipeline scans into a
/// `ScannedPayload` instead, which keeps the strings in the payload. A caller may keep one
/// instance and reuse its storage for every message.
public struct DecodedPayload: Sendable, Equatable {
    /// The device's per-message sequence number, when it sent one.
    public var seq: UInt64?
    public var readings: [DecodedReading]

    public init(seq: UInt64? = nil, readings: [DecodedReading] = []) {
        self.seq = seq
        self.readings = readings
    }

    /// Empties the payload, keeping the readings' capacity.
    public mutating func removeAll() {
        seq = nil
        readings.removeAll(keepingCapacity: true)
    }
}
