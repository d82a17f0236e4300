/// Devices by the ingest-clock instant at which idle time alone will make one of their windows
/// due: a binary min-heap, so that closing windows visits only the devices that may have one to
/// close instead of every device in memory (`WindowAggregator+CloseQueue.swift`).
///
/// Entries are not removed when a device's instant changes: the aggregator keeps each device's
/// current instant in `DeviceState.scheduledCloseMillis` and skips an entry that does not match
/// it. A device is entered again only when its instant moves earlier, so the heap holds about
/// one entry per device with open windows. Allocates only when the array grows (amortised).
struct CloseSchedule {
    /// A device and the instant it was scheduled for.
    struct Entry {
        var dueMillis: Int64
        var device: Int32
    }

    private var heap: [Entry] = []

    /// Entries held, stale ones included.
    var count: Int { heap.count }

    /// Schedules `device` for `dueMillis`. O(log entries).
    mutating func insert(device: Int32, dueMillis: Int64) {
        heap.append(Entry(dueMillis: dueMillis, device: device))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].dueMillis < heap[parent].dueMillis else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `clockMillis`. O(log entries).
    mutating func popDue(atOrBefore clockMillis: Int64) -> Entry? {
        guard let first = heap.first, first.dueMillis <= clockMillis else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].dueMillis < heap[left].dueMillis ? right : left
            guard heap[smaller].dueMillis < heap[parent].dueMillis else { break }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
        return first
    }

    /// Forgets every entry, keeping the storage unless told otherwise.
    mutating func removeAll(keepingCapacity: Bool = true) {
        heap.removeAll(keepingCapacity: keepingCapacity)
    }
}
