/// Remembers which recent per-device sequence numbers were seen, in bounded memory, so that
/// MQTT's at-least-once redeliveries are dropped as duplicates and gaps become visible.
///
/// Invariant: bit `i` of `seen` says whether `highest - i` was seen, for `i < capacity`. Every
/// number between `start` and `highest` whose bit is clear was counted missing exactly once
/// (`accepted(missing:)`), so only those can fill a gap: a number below `start` was never
/// counted, and the net missing count of a device never goes below zero.
/// A number more than `capacity` below the highest is taken as the device restarting its
/// numbering (a reboot), not as a duplicate: the window starts again from it.
/// Each `record` is O(capacity / 64) at worst (a shift), O(1) typically.
public struct SequenceWindow: Sendable {
    /// What `record` concluded about one sequence number.
    public enum Outcome: Sendable, Equatable {
        /// New and in order; `missing` numbers were skipped since the previous highest.
        case accepted(missing: UInt64)
        /// New, filling a gap counted as missing earlier.
        case filledGap
        /// New, below the first number of this sequence (never counted as missing).
        case belowStart
        /// Seen before: drop the message.
        case duplicate
        /// Far below the window: the device restarted its numbering.
        case restarted
    }

    var highest: UInt64 = 0
    var hasHighest = false
    /// The number this sequence started from (the first one, or the one after a restart).
    var start: UInt64 = 0
    var seen: [UInt64]
    /// How many recent numbers are remembered (a multiple of 64).
    public let capacity: Int

    /// Creates a window remembering `capacity` (rounded up to a multiple of 64) numbers.
    public init(capacity: Int) {
        let words = max(1, (capacity + 63) / 64)
        self.capacity = words * 64
        self.seen = Array(repeating: 0, count: words)
    }

    /// Forgets every number, as a new window (a retired device's slot, reused). Allocates nothing.
    public mutating func reset() {
        highest = 0
        hasHighest = false
        start = 0
        for word in seen.indices { seen[word] = 0 }
    }

    /// Records `seq` and says whether it is new.
    public mutating func record(_ seq: UInt64) -> Outcome {
        guard hasHighest else {
            start(at: seq)
            return .accepted(missing: 0)
        }
        if seq > highest {
            let distance = seq - highest
            shift(by: distance)
            highest = seq
            seen[0] |= 1
            return .accepted(missing: distance - 1)
        }
        let offset = highest - seq
        guard offset < UInt64(capacity) else {
            start(at: seq)
            return .restarted
        }
        let word = Int(offset / 64)
        let bit = UInt64(1) << (offset % 64)
        if seen[word] & bit != 0 { return .duplicate }
        seen[word] |= bit
        return seq > start ? .filledGap : .belowStart
    }

    private mutating func start(at seq: UInt64) {
        for index in seen.indices { seen[index] = 0 }
        highest = seq
        start = seq
        hasHighest = true
        seen[0] = 1
    }

    /// Moves every remembered bit `distance` places toward older numbers.
    private mutating func shift(by distance: UInt64) {
        guard distance < UInt64(capacity) else {
            for index in seen.indices { seen[index] = 0 }
            return
        }
        let wordShift = Int(distance / 64)
        let bitShift = distance % 64
        for index in stride(from: seen.count - 1, through: 0, by: -1) {
            let source = index - wordShift
            var value: UInt64 = source >= 0 ? seen[source] << bitShift : 0
            if bitShift > 0, source - 1 >= 0 {
                value |= seen[source - 1] >> (64 - bitShift)
            }
            seen[index] = value
        }
    }
}
