/// The bins of one sign of a `QuantileSketch`: the counts of consecutive keys, from the lowest
/// key used to the highest, with at most `limit` keys.
///
/// Stored as one contiguous array so that a window of a few readings costs a few words: the
/// first and the last count are never zero (the array is empty when no value was added), and
/// it grows at either end as keys arrive.
///
/// Collapsing rule (as the reference's `CollapsingLowestDenseStore`): the keys kept are at most
/// `limit` consecutive keys ending at the highest key used; a count whose key lies below them
/// is added to the lowest kept key instead, and `isCollapsed` becomes true. The result does not
/// depend on the order in which values or bins arrive, which is what makes merging exact.
struct SketchBins: Equatable, Sendable {
    /// `counts[i]` is the count of key `lowestKey + i`.
    private(set) var counts: [UInt64] = []
    /// The key of `counts[0]` (meaningless while `counts` is empty).
    private(set) var lowestKey: Int32 = 0
    /// True once a count was added to the lowest kept key in place of a lower one.
    private(set) var isCollapsed = false

    init() {}

    /// Bins as decoded: `counts` must be empty or start and end with a non-zero count, span
    /// at most the sketch's bin limit, and have keys that fit 32 bits (the decoder checks).
    init(lowestKey: Int32, counts: [UInt64], isCollapsed: Bool) {
        self.lowestKey = lowestKey
        self.counts = counts
        self.isCollapsed = isCollapsed
    }

    var isEmpty: Bool { counts.isEmpty }

    /// Replaces the counts with `sparse`'s bins, dense. The array's storage is reused when this
    /// store holds the only reference to it: the aggregator refills one sketch for every gauge
    /// window it writes, and the sink has let go of the previous window's copy by then.
    mutating func replace(with sparse: SparseBins) {
        counts.removeAll(keepingCapacity: true)
        isCollapsed = sparse.isCollapsed
        // Empty bins have key 0, as a new store's, so that equal bins compare equal.
        lowestKey = sparse.bins.first?.key ?? 0
        guard let first = sparse.bins.first, let last = sparse.bins.last else { return }
        counts.append(contentsOf: repeatElement(0, count: Int(last.key) - Int(first.key) + 1))
        for bin in sparse.bins { counts[Int(bin.key) - Int(first.key)] = bin.count }
    }

    /// The key of the last count; only meaningful when not empty.
    var highestKey: Int { Int(lowestKey) + counts.count - 1 }

    /// The sum of the counts, held at `UInt64.max`.
    var total: UInt64 {
        counts.reduce(0) { $0.addingSaturated($1) }
    }

    /// Adds `count` to the bin of `key` (`count` ≥ 1), collapsing to at most `limit` keys.
    mutating func add(key: Int, count: UInt64, limit: Int) {
        guard !counts.isEmpty else {
            lowestKey = Int32(truncatingIfNeeded: key)
            // Room for the few keys a window of a gauge usually needs, so that it grows rarely.
            counts.reserveCapacity(4)
            counts.append(count)
            return
        }
        let low = Int(lowestKey)
        let high = highestKey
        if key > high {
            slideUp(to: key, limit: limit)
            counts[counts.count - 1] = counts[counts.count - 1].addingSaturated(count)
        } else if key >= low {
            counts[key - low] = counts[key - low].addingSaturated(count)
        } else {
            // Below the lowest key: extend downwards, at most to the window's lowest key.
            let target = Swift.max(key, high - limit + 1)
            if key < target { isCollapsed = true }
            if target < low {
                counts.insert(contentsOf: repeatElement(0, count: low - target), at: 0)
                lowestKey = Int32(truncatingIfNeeded: target)
            }
            counts[target - Int(lowestKey)] = counts[target - Int(lowestKey)].addingSaturated(count)
        }
    }

    /// Makes `key` (above the highest key) the highest, with a zero count: keys that fall
    /// below the `limit` keys ending at `key` are folded into the lowest of them.
    private mutating func slideUp(to key: Int, limit: Int) {
        let low = Int(lowestKey)
        let newLow = Swift.max(low, key - limit + 1)
        if newLow > low {
            isCollapsed = true
            let dropped = newLow - low
            if dropped >= counts.count {
                counts = [total]
            } else {
                let folded = counts[0...dropped].reduce(UInt64(0)) { $0.addingSaturated($1) }
                counts.removeFirst(dropped)
                counts[0] = folded
            }
            lowestKey = Int32(truncatingIfNeeded: newLow)
        }
        let missing = key - highestKey
        if missing > 0 {
            counts.append(contentsOf: repeatElement(0, count: missing))
        }
    }

    /// Makes `self` the union of `self` and `other` under the collapsing rule with `limit`;
    /// in place when `other`'s keys lie within `self`'s and nothing needs folding.
    mutating func merge(_ other: SketchBins, limit: Int) {
        if !isEmpty, !other.isEmpty, counts.count <= limit, other.lowestKey >= lowestKey,
            other.highestKey <= highestKey
        {
            addFolded(other)
            isCollapsed = isCollapsed || other.isCollapsed
        } else {
            self = merged(with: other, limit: limit)
        }
    }

    /// The union of `self` and `other` under the collapsing rule with `limit` (which may be
    /// smaller than the limit either was built with: the result is then that of the union
    /// built with `limit` from the start, because folding only ever moves counts up to the
    /// lowest kept key).
    private func merged(with other: SketchBins, limit: Int) -> SketchBins {
        if other.isEmpty { return collapsed(to: limit) }
        if isEmpty { return other.collapsed(to: limit) }
        let high = Swift.max(highestKey, other.highestKey)
        let lowestUsed = Swift.min(Int(lowestKey), Int(other.lowestKey))
        let low = Swift.max(lowestUsed, high - limit + 1)
        var result = SketchBins()
        result.lowestKey = Int32(truncatingIfNeeded: low)
        result.isCollapsed = isCollapsed || other.isCollapsed || lowestUsed < low
        result.counts = [UInt64](repeating: 0, count: high - low + 1)
        result.addFolded(self)
        result.addFolded(other)
        return result
    }

    /// Adds every count of `bins` to the bin of its key, or to the lowest key when below it.
    private mutating func addFolded(_ bins: SketchBins) {
        let low = Int(lowestKey)
        for (index, count) in bins.counts.enumerated() where count > 0 {
            let target = Swift.max(Int(bins.lowestKey) + index, low) - low
            counts[target] = counts[target].addingSaturated(count)
        }
    }

    /// `self` under the collapsing rule with `limit` (unchanged when it already fits).
    private func collapsed(to limit: Int) -> SketchBins {
        guard counts.count > limit else { return self }
        var result = self
        let dropped = counts.count - limit
        let folded = counts[0...dropped].reduce(UInt64(0)) { $0.addingSaturated($1) }
        result.counts.removeFirst(dropped)
        result.counts[0] = folded
        result.lowestKey = Int32(truncatingIfNeeded: Int(lowestKey) + dropped)
        result.isCollapsed = true
        return result
    }

    /// The key of the first bin, from the lowest key, whose cumulative count exceeds `rank`
    /// (`lower`), or reaches `rank + 1` (not `lower`, for the negative bins read from the
    /// top): the reference's `DenseStore.key_at_rank`, with its floating-point comparisons.
    func key(atRank rank: Double, lower: Bool) -> Int {
        var running = 0.0
        for (index, count) in counts.enumerated() {
            running += Double(count)
            if lower ? running > rank : running >= rank + 1 {
                return Int(lowestKey) + index
            }
        }
        return highestKey
    }
}
