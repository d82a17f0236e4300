/// How messages are written, independent of faults: shapes, sequence numbers, readings per message.
struct MessageOptions: Sendable, Equatable {
    /// Shapes to choose from, uniformly per message; never empty.
    var shapes: [PayloadShape] = PayloadShape.allCases
    /// Whether payloads carry `seq`.
    var seqEnabled = true
    /// Readings per message; 0 means every metric of the device's kind.
    var readingsPerMessage = 0
}
