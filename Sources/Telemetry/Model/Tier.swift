/// A rollup window length, such as `10s`, `1m` or `1h`; windows are aligned to the Unix epoch.
public struct Tier: Sendable, Hashable, CustomStringConvertible {
    /// The name written into rollup records, e.g. `1m`.
    public let name: String
    /// Window length in milliseconds; always > 0.
    public let lengthMillis: Int64

    public init(name: String, lengthMillis: Int64) {
        precondition(lengthMillis > 0, "a tier must be longer than zero")
        self.name = name
        self.lengthMillis = lengthMillis
    }

    /// The start of the window of this tier that contains `millis` (floor division, epoch-aligned).
    @inlinable
    public func windowStart(containing millis: Int64) -> Int64 {
        let remainder = millis % lengthMillis
        return remainder >= 0 ? millis - remainder : millis - remainder - lengthMillis
    }

    public var description: String { name }
}
