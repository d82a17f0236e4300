/// How long closed windows waited between their device's watermark passing their end (the
/// receive time of the message that moved it) and being handed to the rollup log: the gateway's
/// own share of a rollup's delay, without the broker's queue before it.
///
/// 1 ms buckets below one second, then one bucket per power of two; quantiles are a bucket's
/// upper bound, so exact to 1 ms below a second and within a factor of two above. O(1) record.
public struct CloseDelayHistogram: Sendable, Equatable {
    static let linearBuckets = 1_024
    /// `[0, 1024)` ms by the millisecond, then `[2^k, 2^(k+1))` ms for k = 10…29, then the rest.
    private var counts = [Int](repeating: 0, count: linearBuckets + 21)
    /// Delays recorded.
    public private(set) var count = 0
    /// The longest delay recorded, in ms.
    public private(set) var maxMillis: Int64 = 0

    public init() {}

    /// Records one delay (negative ones, from a clock step, count as 0).
    public mutating func record(_ millis: Int64) {
        let delay = Swift.max(0, millis)
        counts[Self.bucket(of: delay)] += 1
        count += 1
        maxMillis = Swift.max(maxMillis, delay)
    }

    /// The delay at or below which a fraction `q` (0…1) of the recorded delays lie, in ms;
    /// nil when nothing was recorded.
    public func quantile(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (bucket, bucketCount) in counts.enumerated() {
            seen += bucketCount
            if seen >= rank { return Swift.min(Self.upperBound(of: bucket), maxMillis) }
        }
        return maxMillis
    }

    private static func bucket(of millis: Int64) -> Int {
        if millis < linearBuckets { return Int(millis) }
        let power = Int64.bitWidth - 1 - millis.leadingZeroBitCount
        return Swift.min(linearBuckets + power - 10, linearBuckets + 20)
    }

    private static func upperBound(of bucket: Int) -> Int64 {
        if bucket < linearBuckets { return Int64(bucket) }
        return (Int64(1) << Int64(bucket - linearBuckets + 11)) - 1
    }
}
