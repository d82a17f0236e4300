/// A window kept in a `WindowList`: a pool slot with a start and links to its neighbours.
protocol WindowSlot: PoolSlot {
    /// An empty window starting at `startMillis`, not linked yet.
    init(startMillis: Int64)
    var startMillis: Int64 { get }
    var next: Int32 { get set }
    var previous: Int32 { get set }
    /// `startMillis` of the window `next` points to (unspecified when there is none).
    var nextStartMillis: Int64 { get set }
}

/// The open windows of one series and tier, ascending by start: a doubly linked list through
/// a `SlotPool`. Usually one or two long.
///
/// Why doubly linked with both ends: readings mostly arrive in order, so the window sought is
/// the newest one or a new one after it (found from `tail` in O(1), however long the list is
/// for a device catching up on a backlog), while closing takes windows from `head`.
///
/// The oldest window's start is kept here too (and each window keeps its successor's start),
/// so deciding whether a series has a window to close, and when its next one ends, reads only
/// this small record: with 100 000 series the windows themselves are mostly not in cache.
///
/// Each list owns a home slot reserved in its pool when its series was registered, and puts a
/// window there whenever the home is empty; only a second open window (a device reporting
/// within the allowed lateness of a window's end, or catching up on a backlog) takes a shared
/// slot. A device's series are registered together, so the windows its message updates, and
/// that closing them reads, are mostly one contiguous run of memory that the processor
/// prefetches, instead of slots scattered over the pool by earlier releases (with 100 000
/// series the scattered slots were cache misses on both opening and closing).
struct WindowList {
    var head: Int32 = -1
    var tail: Int32 = -1
    /// Start of the `head` window (unspecified when the list is empty).
    var headStartMillis: Int64 = 0
    /// This list's reserved slot in its pool, and whether it holds none of the list's windows.
    let home: Int32
    var homeIsFree = true

    /// An empty list whose windows go first to `home`, a slot reserved for it in its pool.
    init(home: Int32) {
        self.home = home
    }

    var isEmpty: Bool { head < 0 }

    /// The window starting at `start`, inserted empty in order when missing.
    /// O(windows newer than `start`). `inserted` says whether it was created.
    mutating func window<Window: WindowSlot>(
        startingAt start: Int64, in pool: inout SlotPool<Window>
    ) -> (index: Int32, inserted: Bool) {
        var before = tail
        while before >= 0 {
            let existing = pool[before].startMillis
            if existing == start { return (before, false) }
            if existing < start { break }
            before = pool[before].previous
        }
        var window = Window(startMillis: start)
        window.previous = before
        if before >= 0 {
            window.next = pool[before].next
            window.nextStartMillis = pool[before].nextStartMillis
        } else {
            window.next = head
            window.nextStartMillis = headStartMillis
        }
        let index = store(window, in: &pool)
        if window.next >= 0 { pool[window.next].previous = index } else { tail = index }
        if before >= 0 {
            pool[before].next = index
            pool[before].nextStartMillis = start
        } else {
            head = index
            headStartMillis = start
        }
        return (index, true)
    }

    /// Appends an already filled window after the newest one (restoring a checkpoint).
    mutating func append<Window: WindowSlot>(_ window: Window, in pool: inout SlotPool<Window>) {
        var window = window
        window.previous = tail
        window.next = -1
        let index = store(window, in: &pool)
        if tail >= 0 {
            pool[tail].next = index
            pool[tail].nextStartMillis = window.startMillis
        } else {
            head = index
            headStartMillis = window.startMillis
        }
        tail = index
    }

    /// Unlinks the oldest window and returns its index; the caller gives it back with `release`.
    mutating func removeFirst<Window: WindowSlot>(in pool: inout SlotPool<Window>) -> Int32 {
        let index = head
        head = pool[index].next
        headStartMillis = pool[index].nextStartMillis
        if head >= 0 { pool[head].previous = -1 } else { tail = -1 }
        return index
    }

    /// Gives back the slot of a window `removeFirst` unlinked: the home becomes free again, a
    /// shared slot goes back to the pool.
    mutating func release<Window: WindowSlot>(_ index: Int32, in pool: inout SlotPool<Window>) {
        if index == home {
            homeIsFree = true
            pool.vacate(index)
        } else {
            pool.release(index)
        }
    }

    /// Puts `window` in the home slot when it is free, else in a shared slot; returns the slot.
    private mutating func store<Window: WindowSlot>(_ window: Window, in pool: inout SlotPool<Window>) -> Int32 {
        guard homeIsFree else { return pool.allocate(window) }
        homeIsFree = false
        pool.occupy(home, with: window)
        return home
    }
}
