/// The bins of one sign of a sketch kept sparsely: only the non-empty ones, ascending by key,
/// under the same collapsing rule as `SketchBins` (at most `limit` consecutive keys, ending at
/// the highest key used; a count below them goes to the lowest kept key).
///
/// Why a second store: `SketchBins` holds one count per key from the lowest to the highest,
/// which suits a sketch that is encoded or queried once. An open window of an hour holds its
/// gauge's values for that hour, and a machine's power in three states (off, idle, running)
/// spans some 300 keys at α = 1 % with perhaps 30 of them used: 2.4 KB dense against 480 bytes
/// here, for every gauge series. Adding is a binary search and, for a new key, an insertion:
/// cheap while a window's bins number in the tens, as a gauge's do.
struct SparseBins: Equatable {
    /// One non-empty bin.
    struct Bin: Equatable {
        var key: Int32
        var count: UInt64
    }

    /// The non-empty bins, ascending by key.
    var bins: [Bin] = []
    /// True once a count was added to the lowest kept key in place of a lower one.
    var isCollapsed = false

    var isEmpty: Bool { bins.isEmpty }

    /// Empties the bins, keeping the array's storage for the next window.
    mutating func removeAll() {
        bins.removeAll(keepingCapacity: true)
        isCollapsed = false
    }

    /// Adds `count` (one reading by default) to the bin of `key`, collapsing to at most `limit`
    /// keys. O(log bins) for a key in use, O(bins) for a new one.
    mutating func add(key: Int, count: UInt64 = 1, limit: Int) {
        guard let highest = bins.last.map({ Int($0.key) }) else {
            bins.append(Bin(key: Int32(truncatingIfNeeded: key), count: count))
            return
        }
        let floor = Swift.max(highest, key) - limit + 1
        let target = Int32(truncatingIfNeeded: Swift.max(key, floor))
        if key < floor { isCollapsed = true }
        var low = 0
        var high = bins.count
        while low < high {
            let middle = (low + high) / 2
            if bins[middle].key < target { low = middle + 1 } else { high = middle }
        }
        if low < bins.count, bins[low].key == target {
            bins[low].count = bins[low].count.addingSaturated(count)
        } else {
            bins.insert(Bin(key: target, count: count), at: low)
        }
        if key > highest { foldBelow(floor) }
    }

    /// Adds `other`'s counts bin for bin, collapsing to at most `limit` keys: the bins of the
    /// union of both sets of values. O(bins of both), merged through `scratch` (whose storage is
    /// kept for the next merge); a few bins (a short window's, merged into a longer one) are
    /// added one by one instead, O(their number × log bins) plus the insertions.
    mutating func merge(_ other: SparseBins, limit: Int, scratch: inout [Bin]) {
        guard !other.isEmpty else { return }
        isCollapsed = isCollapsed || other.isCollapsed
        guard !isEmpty else {
            bins.append(contentsOf: other.bins)
            foldBelow(Int(bins[bins.count - 1].key) - limit + 1)
            return
        }
        // Adding bin by bin follows the same collapsing rule, whose result does not depend on
        // the order in which counts arrive.
        if other.bins.count <= Self.binByBinMergeLimit {
            for bin in other.bins { add(key: Int(bin.key), count: bin.count, limit: limit) }
            return
        }
        scratch.removeAll(keepingCapacity: true)
        var left = 0
        var right = 0
        while left < bins.count || right < other.bins.count {
            if right == other.bins.count || (left < bins.count && bins[left].key < other.bins[right].key) {
                scratch.append(bins[left])
                left += 1
            } else if left == bins.count || other.bins[right].key < bins[left].key {
                scratch.append(other.bins[right])
                right += 1
            } else {
                scratch.append(Bin(key: bins[left].key, count: bins[left].count.addingSaturated(other.bins[right].count)))
                left += 1
                right += 1
            }
        }
        bins.removeAll(keepingCapacity: true)
        bins.append(contentsOf: scratch)
        foldBelow(Int(bins[bins.count - 1].key) - limit + 1)
    }

    /// Moves the counts of keys below `floor` into the bin of `floor` (the lowest kept key).
    private mutating func foldBelow(_ floor: Int) {
        guard let first = bins.first, Int(first.key) < floor else { return }
        isCollapsed = true
        var folded: UInt64 = 0
        var dropped = 0
        while dropped < bins.count, Int(bins[dropped].key) < floor {
            folded = folded.addingSaturated(bins[dropped].count)
            dropped += 1
        }
        bins.removeFirst(dropped)
        let key = Int32(truncatingIfNeeded: floor)
        if let lowest = bins.first, lowest.key == key {
            bins[0].count = lowest.count.addingSaturated(folded)
        } else {
            bins.insert(Bin(key: key, count: folded), at: 0)
        }
    }

    init() {}

    /// Merges of at most this many bins add them one by one (see `merge`): below it, the binary
    /// searches cost less than copying both lists through the scratch array.
    static let binByBinMergeLimit = 4
}
