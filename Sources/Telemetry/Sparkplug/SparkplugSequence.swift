/// An edge node's `seq` (Sparkplug 3.0.0, section 5.9): one counter over its NBIRTH, DBIRTH,
/// NDATA, DDATA and DDEATH messages, 0–255, each message the previous one's plus one, modulo
/// 256. What it tells apart: the next message; one seen already (a duplicate, e.g. through a
/// bridge, or a QoS 1 redelivery); and one ahead of the next (messages lost in between) or
/// behind it without having been seen (out of order).
///
/// The 128 seqs up to the latest are remembered in a bit set: a seq that far behind the latest
/// and not in it was never received in this session. Plain data (four words), so checkpointing
/// it is copying it.
struct SparkplugSequence: Equatable {
    /// The latest seq received in order.
    private(set) var latest: UInt8
    /// Bit s set: seq s was received among the 128 seqs up to `latest`.
    private(set) var seen: (UInt64, UInt64, UInt64, UInt64)

    /// What one message's seq is to the node's sequence.
    enum Verdict: Equatable {
        case next
        case duplicate
        /// Ahead of the next one: `missed` messages were lost. The sequence goes on from it.
        case gap(expected: UInt8, missed: Int)
        /// Behind the latest and not seen: it arrived out of order (the sequence stays).
        case outOfOrder(latest: UInt8)
    }

    /// The sequence of a node whose NBIRTH carried `birth` (any seq, section 5.4: the next
    /// message carries `birth` + 1).
    init(birth: UInt8) {
        latest = birth
        seen = (0, 0, 0, 0)
        mark(birth)
    }

    /// Restores a checkpointed sequence.
    init(latest: UInt8, seen: (UInt64, UInt64, UInt64, UInt64)) {
        self.latest = latest
        self.seen = seen
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.latest == rhs.latest && lhs.seen == rhs.seen
    }

    /// Records `seq` and says what it was. O(1), or O(missed) after a gap.
    mutating func record(_ seq: UInt8) -> Verdict {
        let distance = seq &- latest
        if distance == 1 {
            advance(to: seq)
            return .next
        }
        if distance == 0 || distance >= 128 {
            return isSeen(seq) ? .duplicate : .outOfOrder(latest: latest)
        }
        let expected = latest &+ 1
        while latest != seq { advance(to: latest &+ 1) }
        // The skipped seqs were not received: only `seq` itself is.
        var skipped = expected
        while skipped != seq {
            unmark(skipped)
            skipped &+= 1
        }
        return .gap(expected: expected, missed: Int(distance) - 1)
    }

    /// Makes `seq` (one after `latest`) the latest: it is seen, and the seq 128 behind it
    /// leaves the remembered range.
    private mutating func advance(to seq: UInt8) {
        unmark(seq &+ 128)
        mark(seq)
        latest = seq
    }

    private func isSeen(_ seq: UInt8) -> Bool {
        word(seq >> 6) & (1 << UInt64(seq & 63)) != 0
    }

    private mutating func mark(_ seq: UInt8) {
        setWord(seq >> 6, word(seq >> 6) | (1 << UInt64(seq & 63)))
    }

    private mutating func unmark(_ seq: UInt8) {
        setWord(seq >> 6, word(seq >> 6) & ~(1 << UInt64(seq & 63)))
    }

    private func word(_ index: UInt8) -> UInt64 {
        switch index {
        case 0: seen.0
        case 1: seen.1
        case 2: seen.2
        default: seen.3
        }
    }

    private mutating func setWord(_ index: UInt8, _ value: UInt64) {
        switch index {
        case 0: seen.0 = value
        case 1: seen.1 = value
        case 2: seen.2 = value
        default: seen.3 = value
        }
    }
}
