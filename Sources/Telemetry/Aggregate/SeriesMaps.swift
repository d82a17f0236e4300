/// Every device's map from metric id to series index, as small open-addressing hash tables
/// packed into one array: a device's table is the region `DeviceState.seriesMap` describes.
///
/// Why per device and not one table keyed by (device, metric): a message's readings all
/// belong to one device, so its lookups stay within one small region (a few cache lines)
/// instead of landing at random in a table as large as the number of series, which with
/// 100 000 series costs a cache miss per reading. Metric ids are small dense integers, so the
/// hash is the id itself: catalogue metrics rarely collide.
///
/// A region is a power of two long and at most three quarters full. When a device's table
/// must grow, it moves to a region twice as large and the old one is vacated; a retired
/// device's region is vacated too. A vacant region is cleared and kept, by size, for the next
/// table of that size, so the array follows the devices in memory rather than every device
/// ever seen. Allocates only when the array grows (amortised).
struct SeriesMaps {
    private struct Entry {
        var metric: Int32 = -1
        var series: Int32 = -1
    }

    /// Where a device's table is: `capacity` entries from `start`; capacity 0 when empty.
    struct Region {
        var start: Int32 = 0
        var capacity: Int32 = 0
        var count: Int32 = 0
    }

    private var entries: [Entry] = []
    /// Vacant regions' starts, by size: `vacant[k]` holds regions of `8 << k` entries.
    private var vacant: [[Int32]] = []

    /// The series of `metric` in the table `region`, or `nil`.
    func series(metric: Int32, in region: Region) -> Int32? {
        guard region.capacity > 0 else { return nil }
        let mask = Int(region.capacity) - 1
        var slot = Int(metric) & mask
        while true {
            let entry = entries[Int(region.start) + slot]
            if entry.metric == metric { return entry.series }
            if entry.metric < 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `metric` → `series` to the table `region` (the metric must be new there), moving
    /// the table to a larger region when it is full.
    mutating func insert(metric: Int32, series: Int32, in region: inout Region) {
        if (Int(region.count) + 1) * 4 > Int(region.capacity) * 3 {
            var larger = Region(start: claim(capacity: max(8, region.capacity * 2)), capacity: max(8, region.capacity * 2))
            for offset in 0..<Int(region.capacity) {
                let entry = entries[Int(region.start) + offset]
                if entry.metric >= 0 { place(entry, in: &larger) }
            }
            vacate(region)
            region = larger
        }
        place(Entry(metric: metric, series: series), in: &region)
    }

    /// Clears the table `region` and keeps its storage for the next table of its size (a
    /// retired device's). O(its capacity).
    mutating func vacate(_ region: Region) {
        guard region.capacity > 0 else { return }
        for offset in 0..<Int(region.capacity) { entries[Int(region.start) + offset] = Entry() }
        let size = Self.sizeClass(region.capacity)
        while vacant.count <= size { vacant.append([]) }
        vacant[size].append(region.start)
    }

    /// Forgets every table, keeping the storage unless told otherwise.
    mutating func removeAll(keepingCapacity: Bool = true) {
        entries.removeAll(keepingCapacity: keepingCapacity)
        vacant.removeAll(keepingCapacity: keepingCapacity)
    }

    /// The start of an empty region of `capacity` entries: a vacant one, or new at the end.
    private mutating func claim(capacity: Int32) -> Int32 {
        let size = Self.sizeClass(capacity)
        if size < vacant.count, let start = vacant[size].popLast() { return start }
        entries.append(contentsOf: repeatElement(Entry(), count: Int(capacity)))
        return Int32(entries.count) - capacity
    }

    /// `k` for a capacity of `8 << k` (capacities are powers of two from 8).
    private static func sizeClass(_ capacity: Int32) -> Int {
        capacity.trailingZeroBitCount - 3
    }

    private mutating func place(_ entry: Entry, in region: inout Region) {
        let mask = Int(region.capacity) - 1
        var slot = Int(entry.metric) & mask
        while entries[Int(region.start) + slot].metric >= 0 { slot = (slot + 1) & mask }
        entries[Int(region.start) + slot] = entry
        region.count += 1
    }
}
