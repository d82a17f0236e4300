// A hash table from byte strings to small integers, looked up straight from a borrowed buffer.
//
// Why: the hot path meets names as bytes inside a payload or topic. Building a `String` for
// each lookup costs a heap allocation for names over 15 UTF-8 bytes ("vibration_rms_mms",
// "rejected_parts_total", long park names) and a SipHash over a `String`. This table hashes
// the bytes in place and compares them with a copy kept in one arena, so a lookup allocates
// nothing and an insert only when an array grows (amortised).
//
// Layout: `arena` holds every key's bytes back to back; `entries[i]` says where key `i` is,
// its full hash and its value; `slots` is an open-addressing index (linear probing, a power of
// two long, at most half full) of entry numbers, -1 when empty. Keys are not removed one by one:
// a table whose keys go out of use is rebuilt without them (`remapped`).
//
// Keys are compared as bytes, not as Unicode text: two spellings that Swift's `String` treats
// as equal (precomposed "é" and "e" + U+0301) are different keys here, as they are different
// names to the gateway (see `Name`). The `String` overloads look up and insert a string's
// UTF-8 bytes, so a name found in a payload and the same name as a `String` are one key.
//
// Hash: `ByteHash` with a random key per table, so colliding keys (topics are chosen by whoever
// can publish) cannot be prepared in advance.

/// Maps byte strings to `Int32` values; lookups allocate nothing. Used from one thread.
struct ByteKeyTable: Sendable {
    private struct Entry {
        var start: Int
        var count: Int
        var hash: UInt64
        var value: Int32
    }

    private var slots: [Int32]
    private var entries: [Entry] = []
    private var arena: [UInt8] = []
    private let hasher = ByteHash.random()

    /// An empty table with room for `capacity` keys before its index grows.
    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
    }

    /// The value stored for `key`, or `nil`. O(key length).
    func value(for key: UnsafeRawBufferPointer) -> Int32? {
        let hash = hasher.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBytes { arena in
            while true {
                let entryIndex = slots[slot]
                if entryIndex < 0 { return nil }
                let entry = entries[Int(entryIndex)]
                if entry.hash == hash && entry.count == key.count
                    && Self.equal(key, UnsafeRawBufferPointer(rebasing: arena[entry.start..<entry.start + entry.count]))
                {
                    return entry.value
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The value stored for the UTF-8 bytes of `key`, or `nil`.
    func value(for key: String) -> Int32? {
        var key = key
        return key.withUTF8 { value(for: UnsafeRawBufferPointer($0)) }
    }

    /// Stores `value` for `key`, which must not be in the table yet. O(key length) amortised.
    mutating func insert(_ key: UnsafeRawBufferPointer, value: Int32) {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let hash = hasher.hash(key)
        entries.append(Entry(start: arena.count, count: key.count, hash: hash, value: value))
        arena.append(contentsOf: key)
        place(entry: Int32(entries.count - 1), hash: hash)
    }

    /// Stores `value` for the UTF-8 bytes of `key`, which must not be in the table yet.
    mutating func insert(_ key: String, value: Int32) {
        var key = key
        key.withUTF8 { insert(UnsafeRawBufferPointer($0), value: value) }
    }

    /// Forgets every key, keeping the hash key.
    mutating func removeAll() {
        for index in slots.indices { slots[index] = -1 }
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }

    /// A new table (with a new hash key) holding the keys for which `transform` gives a value,
    /// with that value: how the keys that went out of use are dropped. O(keys' bytes).
    func remapped(_ transform: (Int32) -> Int32?) -> ByteKeyTable {
        var table = ByteKeyTable(capacity: entries.count)
        arena.withUnsafeBytes { arena in
            for entry in entries {
                guard let value = transform(entry.value) else { continue }
                table.insert(UnsafeRawBufferPointer(rebasing: arena[entry.start..<entry.start + entry.count]), value: value)
            }
        }
        return table
    }

    private mutating func place(entry: Int32, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for index in entries.indices { place(entry: Int32(index), hash: entries[index].hash) }
    }

    private static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 8 <= lhs.count {
            if lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < lhs.count {
            if lhs[offset] != rhs[offset] { return false }
            offset += 1
        }
        return true
    }
}
