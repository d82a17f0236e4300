/// What `PayloadDecoder.scan` took from one message: `DecodedPayload` without the strings.
///
/// Names and string values stay positions in the payload (valid while the payload's buffer is),
/// so the pipeline resolves them against its tables by their bytes and builds a `String` only
/// for something it has never seen or must quarantine. The pipeline keeps one instance and
/// reuses its storage for every message: scanning a message allocates nothing.
struct ScannedPayload {
    /// The device's per-message sequence number, when it sent one.
    var seq: UInt64?
    var readings: [ScannedReading] = []

    /// Empties the payload, keeping the readings' capacity.
    mutating func removeAll() {
        seq = nil
        readings.removeAll(keepingCapacity: true)
    }
}
