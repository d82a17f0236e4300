/// One state's readings and time inside a window (`state_count`, `state_ms`).
public struct StateTime: Sendable, Equatable {
    /// The state name's bytes.
    public var name: [UInt8]
    public var readings: Int64
    public var millis: Int64

    public init(name: [UInt8], readings: Int64, millis: Int64) {
        self.name = name
        self.readings = readings
        self.millis = millis
    }
}
