// Why hand-written: Swift's `Hasher` is SipHash-1-3 over a per-process random seed, so its
// values cannot be stored (the redelivery window's fingerprints live in checkpoints and must
// mean the same after a restart) and it costs several times more per byte than this. This is a
// folded 64×64→128-bit multiply over 8-byte words (the core step of wyhash), keyed by a seed and
// a multiplier; with a random key, colliding inputs cannot be prepared in advance.

/// A keyed 64-bit hash of byte strings, 8 bytes per step, for hash tables and fingerprints.
/// Not cryptographic: equal hashes of different inputs are rare, not impossible.
struct ByteHash: Sendable, Equatable {
    let seed: UInt64
    let multiplier: UInt64

    /// A hash with the given key; the multiplier is made odd.
    init(seed: UInt64, multiplier: UInt64) {
        self.seed = seed
        self.multiplier = multiplier | 1
    }

    /// A hash with a key from the system's random source.
    static func random() -> ByteHash {
        var generator = SystemRandomNumberGenerator()
        return ByteHash(seed: generator.next(), multiplier: generator.next())
    }

    /// The hash of `bytes`. O(bytes).
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        finish(absorb(bytes, into: seed))
    }

    /// `state` after mixing in `bytes` and their count, so that absorbing "ab" then "c" differs
    /// from "a" then "bc". Start from `seed`; end with `finish`.
    @inline(__always)
    func absorb(_ bytes: UnsafeRawBufferPointer, into state: UInt64) -> UInt64 {
        var state = state ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = Self.fold(state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self), multiplier)
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
            state = Self.fold(state ^ tail, multiplier)
        }
        return state
    }

    /// `state` after mixing in one word.
    @inline(__always)
    func absorb(_ word: UInt64, into state: UInt64) -> UInt64 {
        Self.fold(state ^ word, multiplier)
    }

    /// The final avalanche of `state`.
    @inline(__always)
    func finish(_ state: UInt64) -> UInt64 {
        Self.fold(state, multiplier ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// Both halves of the 128-bit product, xor-ed: every input bit reaches every output bit.
    @inline(__always)
    private static func fold(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: multiplier)
        return product.high ^ product.low
    }
}
