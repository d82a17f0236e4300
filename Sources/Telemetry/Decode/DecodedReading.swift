/// One metric value found in a payload, with the timestamp the payload gave it (if any).
public struct DecodedReading: Sendable, Equatable {
    public var metric: String
    /// Milliseconds since the Unix epoch; `nil` means "use the receive time".
    public var timestampMillis: Int64?
    public var value: DecodedValue

    public init(metric: String, timestampMillis: Int64?, value: DecodedValue) {
        self.metric = metric
        self.timestampMillis = timestampMillis
        self.value = value
    }
}
