import Testing

@testable import Telemetry

/// `FaultRuns` against a millisecond-by-millisecond count: random fault stretches on a short
/// timeline, credited to the windows of a fine tier in time order, then merged into the windows
/// of two coarser tiers in start order (some fine windows missing, as when no time fell in
/// them): every window's longest, leading and trailing run equals the one found by walking its
/// milliseconds.
@Suite("Fault runs")
struct FaultRunsTests {
    /// Window lengths of three nested tiers.
    static let lengths: [Int64] = [10, 30, 90]
    static let timeline: Int64 = 540

    /// Longest, leading and trailing run of `isFault` inside `[start, start + length)`.
    static func walk(_ isFault: [Bool], start: Int64, length: Int64) -> (Int64, Int64, Int64) {
        var (longest, run, leading) = (Int64(0), Int64(0), Int64(0))
        var leadingOpen = true
        for millis in start..<(start + length) {
            if isFault[Int(millis)] {
                run += 1
                longest = max(longest, run)
                if leadingOpen { leading += 1 }
            } else {
                run = 0
                leadingOpen = false
            }
        }
        return (longest, leading, run)
    }

    @Test(arguments: 1...200)
    func creditedAndMergedRunsEqualTheRunsOfTheMilliseconds(seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed))
        // Stretches of fault and other time, each 1–40 ms, some of them gaps with no time at all.
        var isFault = [Bool](repeating: false, count: Int(Self.timeline))
        var credits: [(from: Int64, to: Int64)] = []
        var cursor: Int64 = 0
        while cursor < Self.timeline {
            let end = min(Self.timeline, cursor + 1 + Int64(generator.next(below: 40)))
            if generator.next(below: 2) == 0 {
                for millis in cursor..<end { isFault[Int(millis)] = true }
                // A fault stretch is credited in one or two pieces (two readings of fault states).
                let cut = cursor + Int64(generator.next(below: Int(end - cursor)))
                if cut > cursor { credits.append((cursor, cut)) }
                credits.append((cut, end))
            }
            cursor = end
        }

        var tiers: [[Int64: FaultRuns]] = [[:], [:], [:]]
        for credit in credits {
            var from = credit.from
            while from < credit.to {
                let start = from - from % Self.lengths[0]
                let to = min(credit.to, start + Self.lengths[0])
                tiers[0][start, default: FaultRuns()].credit(fromMillis: from, toMillis: to, windowStartMillis: start)
                from = to
            }
        }
        // Fine windows without fault time are sometimes absent and sometimes present but empty.
        for start in stride(from: Int64(0), to: Self.timeline, by: Int(Self.lengths[0])) where tiers[0][start] == nil {
            if generator.next(below: 2) == 0 { tiers[0][start] = FaultRuns() }
        }
        for tier in 1..<Self.lengths.count {
            for start in tiers[tier - 1].keys.sorted() {
                let coarse = start - start % Self.lengths[tier]
                tiers[tier][coarse, default: FaultRuns()].append(
                    tiers[tier - 1][start] ?? FaultRuns(), laterStartMillis: start, windowStartMillis: coarse)
            }
        }

        var faultWindows = 0
        for (tier, length) in Self.lengths.enumerated() {
            for (start, runs) in tiers[tier] {
                let (longest, leading, trailing) = Self.walk(isFault, start: start, length: length)
                #expect(runs.longestMillis == longest, "tier \(length) at \(start)")
                #expect(runs.leadingMillis == leading, "tier \(length) at \(start)")
                #expect(runs.trailingMillis(windowEndMillis: start + length) == trailing, "tier \(length) at \(start)")
                #expect(runs.isEmpty == (longest == 0))
                if longest > 0 { faultWindows += 1 }
            }
        }
        #expect(faultWindows > 10)
    }

    @Test
    func aGapBetweenWindowsEndsARun() {
        var first = FaultRuns()
        first.credit(fromMillis: 5, toMillis: 10, windowStartMillis: 0)
        var third = FaultRuns()
        third.credit(fromMillis: 20, toMillis: 24, windowStartMillis: 20)
        var coarse = FaultRuns()
        coarse.append(first, laterStartMillis: 0, windowStartMillis: 0)
        coarse.append(third, laterStartMillis: 20, windowStartMillis: 0)
        #expect(coarse.longestMillis == 5)
        #expect(coarse.leadingMillis == 0)
        #expect(coarse.trailingMillis(windowEndMillis: 30) == 0)
        #expect(coarse.latestMillis == 4 && coarse.latestEndMillis == 24)
    }
}
