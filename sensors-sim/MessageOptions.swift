/// How messages are written, independent of faults: shapes, sequence numbers, readings per message.
struct MessageOptions: Sendable, Equatable {
    /// Shapes to choose from, uniformly per message; never empty.
    var shapes: [PayloadShape] = PayloadShape.singleSample
    /// Whether payloads carry `seq`.
    var seqEnabled = true
    /// Readings per message; 0 means every metric of the device's kind. Above the kind's metric
    /// count, the single-sample shapes carry every metric once and the batch shape carries
    /// exactly this many readings over several samples.
    var readingsPerMessage = 0
    /// JSON shapes or line protocol; line protocol carries no `seq`, so `seqEnabled` is false with it.
    var format = WireFormat.json
}
