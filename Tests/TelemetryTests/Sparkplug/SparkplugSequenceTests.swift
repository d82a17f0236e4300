import Testing

@testable import Telemetry

/// `SparkplugSequence` against a reference that remembers every seq received and the
/// position of each: next, duplicate, gap and out of order, across many wraps of 0–255.
@Suite("Sparkplug B seq")
struct SparkplugSequenceTests {
    @Test func eachVerdictAcrossTheWrap() {
        var sequence = SparkplugSequence(birth: 250)
        #expect((251...255).map { sequence.record(UInt8($0)) } == Array(repeating: .next, count: 5))
        #expect(sequence.record(0) == .next)
        #expect(sequence.record(0) == .duplicate)
        #expect(sequence.record(250) == .duplicate)
        #expect(sequence.record(3) == .gap(expected: 1, missed: 2))
        #expect(sequence.record(1) == .outOfOrder(latest: 3))
        #expect(sequence.record(4) == .next)
        // 128 behind the latest is no longer remembered: not seen, so out of order.
        #expect(sequence.record(4 &- 128) == .outOfOrder(latest: 4))
    }

    /// Random streams of next seqs, repeats, skips and stragglers: the verdicts equal what a
    /// log of every received (seq, position) says.
    @Test func verdictsEqualAReferenceThatRemembersEverything() {
        var random = SplitMix64(seed: 0x5E0)
        for _ in 0..<200 {
            let birth = UInt8(random.next(below: 256))
            var sequence = SparkplugSequence(birth: birth)
            // The reference: the unwrapped position of the latest, and every position received.
            var latest = Int(birth)
            var received: Set<Int> = [Int(birth)]
            for _ in 0..<2_000 {
                let step: Int
                switch random.next(below: 10) {
                case 0: step = -random.next(below: 129)  // a repeat or a straggler (further back reads as ahead)
                case 1: step = 2 + random.next(below: 126)  // a gap
                default: step = 1
                }
                let position = latest + step
                let seq = UInt8(truncatingIfNeeded: position)
                let expected: SparkplugSequence.Verdict
                if step == 1 {
                    expected = .next
                } else if step > 1 {
                    expected = .gap(expected: UInt8(truncatingIfNeeded: latest + 1), missed: step - 1)
                } else if step > -128 && received.contains(position) {
                    expected = .duplicate
                } else {
                    expected = .outOfOrder(latest: UInt8(truncatingIfNeeded: latest))
                }
                #expect(sequence.record(seq) == expected)
                if step >= 1 {
                    latest = position
                    received.insert(position)
                }
            }
        }
    }
}
