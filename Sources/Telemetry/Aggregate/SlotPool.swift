/// A record kept in a `SlotPool`.
protocol PoolSlot {}

/// Fixed-size records handed out by index and recycled.
///
/// Why: open windows come and go all the time (every message of a device that reports once
/// per window opens one per tier). Keeping them in one array and reusing released slots means
/// opening or closing a window allocates nothing once the pool has reached its high-water
/// mark, and a series needs no array of its own. Indices are `Int32` to keep links small.
///
/// Released indices go on a separate stack rather than a list threaded through the slots:
/// taking one then reads the top of a small array instead of the released slot (usually not in
/// cache with many series), and consecutive allocations do not wait on each other's cache
/// misses. Last in, first out: the windows a device's message opens reuse the slots that were
/// released together, so they stay close together in memory.
struct SlotPool<Slot: PoolSlot> {
    private var slots: [Slot] = []
    private var released: [Int32] = []

    /// Slots handed out and not released.
    var inUse: Int { slots.count - released.count }

    /// Stores `slot` in a released slot (or a new one) and returns its index. O(1) amortised.
    mutating func allocate(_ slot: Slot) -> Int32 {
        guard let index = released.popLast() else {
            slots.append(slot)
            return Int32(slots.count - 1)
        }
        slots[Int(index)] = slot
        return index
    }

    /// Gives slot `index` back; its contents are left for the next `allocate`.
    mutating func release(_ index: Int32) {
        released.append(index)
    }

    /// Forgets every slot, keeping the storage.
    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        released.removeAll(keepingCapacity: true)
    }

    /// The slot at `index`, modified in place.
    subscript(index: Int32) -> Slot {
        get { slots[Int(index)] }
        _modify { yield &slots[Int(index)] }
    }
}
