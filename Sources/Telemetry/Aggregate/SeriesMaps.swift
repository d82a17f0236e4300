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
/// must grow, a region twice as large is appended and the old one is abandoned (the waste is
/// less than the live regions' size). Allocates only when the array grows (amortised).
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
            var larger = Region(start: Int32(entries.count), capacity: max(8, region.capacity * 2), count: 0)
            entries.append(contentsOf: repeatElement(Entry(), count: Int(larger.capacity)))
            for offset in 0..<Int(region.capacity) {
                let entry = entries[Int(region.start) + offset]
                if entry.metric >= 0 { place(entry, in: &larger) }
            }
            region = larger
        }
        place(Entry(metric: metric, series: series), in: &region)
    }

    /// Forgets every table, keeping the storage unless told otherwise.
    mutating func removeAll(keepingCapacity: Bool = true) {
        entries.removeAll(keepingCapacity: keepingCapacity)
    }

    private mutating func place(_ entry: Entry, in region: inout Region) {
        let mask = Int(region.capacity) - 1
        var slot = Int(entry.metric) & mask
        while entries[Int(region.start) + slot].metric >= 0 { slot = (slot + 1) & mask }
        entries[Int(region.start) + slot] = entry
        region.count += 1
    }
}
