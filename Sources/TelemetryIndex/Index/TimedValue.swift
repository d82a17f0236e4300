/// A reading's event time (ms since the epoch) and value: a window's `first` or `last`.
public struct TimedValue: Sendable, Equatable {
    public var millis: Int64
    public var value: RecordedValue

    public init(millis: Int64, value: RecordedValue) {
        self.millis = millis
        self.value = value
    }
}
