/// One metric value found in a payload, with the timestamp the payload gave it (if any).
public struct DecodedReading: Sendable, Equatable {
    public var metric: String
    /// Milliseconds since the Unix epoch; `nil` means "use the receive time".
    public var timestampMillis: Int64?
    public var value: DecodedValue
    /// Its name appeared earlier in the same JSON object (the pipeline quarantines it as
    /// `duplicate_metric`).
    public var isRepeat = false

    public init(metric: String, timestampMillis: Int64?, value: DecodedValue) {
        self.metric = metric
        self.timestampMillis = timestampMillis
        self.value = value
    }
}
