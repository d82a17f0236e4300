// Why: devices that send no `seq` give the gateway nothing to recognise a message it has seen
// before, yet MQTT is at least once: a broker redelivers a QoS 1 message whose PUBACK it did not
// get (the gateway crashed after writing it to the ring), and a device resends one after a
// reconnect. Both arrive with the same topic and payload bytes. This window remembers a 64-bit
// fingerprint of each recent seq-less message, and when it arrived, in bounded memory.
//
// Layout: `entries` is a FIFO ring of the last `capacity` arrivals (fingerprint, the pipeline's
// message number); `slots` an open-addressing index into it (linear probing, twice the
// capacity, so at most half full), -1 when empty. When the ring is full the oldest entry is
// overwritten and its slot removed by backward-shift deletion, so lookups never meet tombstones.
// A fingerprint is stored once, with its latest recorded arrival.

/// Fingerprints of the last `capacity` seq-less messages and when each arrived, for
/// recognising redeliveries. O(1) expected per lookup and record; 20 bytes per entry.
public struct RedeliveryWindow: Sendable {
    struct Entry: Sendable, Equatable {
        var fingerprint: UInt64
        /// The pipeline's message count when it arrived.
        var messageNumber: Int64
    }

    /// How many arrivals are remembered; 0 remembers nothing.
    public let capacity: Int
    /// The key of the fingerprints; kept in checkpoints so that restored fingerprints match.
    let hasher: ByteHash
    private(set) var entries: [Entry] = []
    /// Where the next arrival goes once `entries` is full (the oldest entry).
    private var next = 0
    private var slots: [Int32]

    /// An empty window of `capacity` arrivals with a fingerprint key from `hasher`.
    public init(capacity: Int) {
        self.init(capacity: capacity, hasher: .random())
    }

    init(capacity: Int, hasher: ByteHash) {
        self.capacity = max(0, capacity)
        self.hasher = hasher
        var size = 2
        while size < self.capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: self.capacity > 0 ? size : 0)
        entries.reserveCapacity(self.capacity)
    }

    /// The fingerprint of a message: its topic, payload and, when given, its MQTT packet id.
    public func fingerprint(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, packetID: UInt16? = nil) -> UInt64 {
        var state = hasher.absorb(topic, into: hasher.seed)
        state = hasher.absorb(payload, into: state)
        if let packetID { state = hasher.absorb(UInt64(packetID) | 1 << 32, into: state) }
        return hasher.finish(state)
    }

    /// The message number `fingerprint` arrived as, if it is among the remembered arrivals.
    public func arrival(of fingerprint: UInt64) -> Int64? {
        guard capacity > 0 else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if entries[Int(index)].fingerprint == fingerprint { return entries[Int(index)].messageNumber }
            slot = (slot + 1) & mask
        }
    }

    /// Remembers that `fingerprint` arrived as message `messageNumber`: a fingerprint already
    /// remembered gets the new arrival; a new one is added, forgetting the oldest arrival when
    /// the window is full.
    public mutating func record(_ fingerprint: UInt64, messageNumber: Int64) {
        guard capacity > 0 else { return }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint) & mask
        while slots[slot] >= 0 {
            if entries[Int(slots[slot])].fingerprint == fingerprint {
                entries[Int(slots[slot])].messageNumber = messageNumber
                return
            }
            slot = (slot + 1) & mask
        }
        let entry = Entry(fingerprint: fingerprint, messageNumber: messageNumber)
        let index: Int
        if entries.count < capacity {
            index = entries.count
            entries.append(entry)
        } else {
            index = next
            removeSlot(of: entries[index].fingerprint, index: index)
            entries[index] = entry
            next = (next + 1) % capacity
            // The removal may have moved entries back into the probe run searched above.
            slot = Int(truncatingIfNeeded: fingerprint) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = Int32(index)
    }

    /// The remembered arrivals, oldest first.
    var arrivalsInOrder: [Entry] {
        entries.count < capacity ? entries : Array(entries[next...] + entries[..<next])
    }

    /// Empties the slot pointing at `index`, then moves later entries of its probe run back
    /// into the hole so that every entry stays reachable from its home slot.
    private mutating func removeSlot(of fingerprint: UInt64, index: Int) {
        let mask = slots.count - 1
        var hole = Int(truncatingIfNeeded: fingerprint) & mask
        while slots[hole] != Int32(index) { hole = (hole + 1) & mask }
        slots[hole] = -1
        var slot = (hole + 1) & mask
        while slots[slot] >= 0 {
            let home = Int(truncatingIfNeeded: entries[Int(slots[slot])].fingerprint) & mask
            // The entry may fill the hole when its home is not in the cyclic range (hole, slot].
            if (slot - home) & mask >= (slot - hole) & mask {
                slots[hole] = slots[slot]
                slots[slot] = -1
                hole = slot
            }
            slot = (slot + 1) & mask
        }
    }
}
