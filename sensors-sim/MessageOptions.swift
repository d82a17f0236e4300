/// How messages are written, independent of faults: shapes, sequence numbers, readings per message.
struct MessageOptions: Sendable, Equatable {
    /// Shapes to choose from, uniformly per message; never empty.
    var shapes: [PayloadShape] = PayloadShape.singleSample
    /// Whether JSON payloads carry their device's `seq` (never line protocol or Sparkplug B payloads).
    var seqEnabled = true
    /// Readings per message; 0 means every metric of the device's kind. Above the kind's metric
    /// count, the single-sample shapes carry every metric once and the batch shape carries
    /// exactly this many readings over several samples.
    var readingsPerMessage = 0
    /// JSON shapes, line protocol or Sparkplug B; only JSON carries the device's `seq`, so
    /// `seqEnabled` is false with the others.
    var format = WireFormat.json
    /// With Sparkplug B, what follows the site in each edge node id (`--edge-node-suffix`), so that
    /// simulators sharing out one fleet run edge nodes of their own.
    var edgeNodeSuffix = ""

    /// Whether a repeated message carries the seq it had, so that the gateway knows the repeat by
    /// its seq (`duplicate_seq`): JSON with `seq`, and Sparkplug B, whose seq is the edge node's.
    var repeatsCarrySeq: Bool { seqEnabled || format == .sparkplug }
}
