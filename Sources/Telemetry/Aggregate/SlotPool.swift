/// A record kept in a `SlotPool`.
protocol PoolSlot {}

/// Fixed-size records handed out by index and recycled.
///
/// Why: open windows come and go all the time (every message of a device that reports once
/// per window opens one per tier). Keeping them in one array and reusing released slots means
/// opening or closing a window allocates nothing once the pool has reached its high-water
/// mark, and a series needs no array of its own. Indices are `Int32` to keep links small.
///
/// Two kinds of slots:
/// * shared slots, handed out by `allocate` and given back by `release`. Released indices go
///   on a separate stack rather than a list threaded through the slots: taking one then reads
///   the top of a small array instead of the released slot, and consecutive allocations do not
///   wait on each other's cache misses;
/// * reserved slots (`reserve`), which `allocate` never hands out: one owner fills and empties
///   each (`occupy`, `vacate`). A `WindowList` reserves one as the home of its usual single
///   window, so that the windows of one series (and of a device's series, registered together)
///   sit next to each other in memory.
struct SlotPool<Slot: PoolSlot> {
    private var slots: [Slot] = []
    private var released: [Int32] = []

    /// Slots holding a record: allocated and not released, or occupied and not vacated.
    private(set) var inUse = 0

    /// Stores `slot` in a released slot (or a new one) and returns its index. O(1) amortised.
    mutating func allocate(_ slot: Slot) -> Int32 {
        inUse += 1
        guard let index = released.popLast() else {
            slots.append(slot)
            return Int32(slots.count - 1)
        }
        slots[Int(index)] = slot
        return index
    }

    /// Gives slot `index` (from `allocate`) back; its contents are left for the next `allocate`.
    mutating func release(_ index: Int32) {
        released.append(index)
        inUse -= 1
    }

    /// Appends a slot that `allocate` never hands out, holding `placeholder` (not counted as in
    /// use), and returns its index. O(1) amortised.
    mutating func reserve(_ placeholder: Slot) -> Int32 {
        slots.append(placeholder)
        return Int32(slots.count - 1)
    }

    /// Stores `slot` in the reserved slot `index`, which must be empty.
    mutating func occupy(_ index: Int32, with slot: Slot) {
        slots[Int(index)] = slot
        inUse += 1
    }

    /// Empties the reserved slot `index`; its contents are left for the next `occupy`.
    mutating func vacate(_ index: Int32) {
        inUse -= 1
    }

    /// Forgets every slot, reserved ones included, keeping the storage unless told otherwise.
    mutating func removeAll(keepingCapacity: Bool = true) {
        slots.removeAll(keepingCapacity: keepingCapacity)
        released.removeAll(keepingCapacity: keepingCapacity)
        inUse = 0
    }

    /// The slot at `index`, modified in place.
    subscript(index: Int32) -> Slot {
        get { slots[Int(index)] }
        _modify { yield &slots[Int(index)] }
    }
}
