import Testing

@testable import TelemetryIndex

/// The merge of windows' fault runs against the runs of the time itself: random fault
/// timelines cut into windows, some windows missing, merged in every grouping of the windows.
@Suite("Fault-run merge")
struct FaultRunMergeTests {
    static let length: Int64 = 10

    /// A window of the timeline: its runs as a record states them.
    static func window(_ index: Int, faults: [Bool]) -> FaultRunMerge {
        let start = Int64(index) * length
        let inside = faults[(index * Int(length))..<((index + 1) * Int(length))]
        return FaultRunMerge(
            window: start..<start + length, longest: longestRun(inside), leading: Int64(inside.prefix { $0 }.count),
            trailing: Int64(inside.reversed().prefix { $0 }.count))
    }

    static func longestRun<Units: Collection<Bool>>(_ units: Units) -> Int64 {
        var (longest, current) = (0, 0)
        for fault in units {
            current = fault ? current + 1 : 0
            longest = max(longest, current)
        }
        return Int64(longest)
    }

    /// The windows `written` merged by splitting them at `split` recursively: each part first,
    /// then the second appended to the first.
    static func merged(_ written: ArraySlice<FaultRunMerge>, split: (Int) -> Int) -> FaultRunMerge? {
        guard written.count > 1 else { return written.first }
        let middle = written.startIndex + max(1, min(written.count - 1, split(written.count)))
        guard var head = merged(written[..<middle], split: split), let tail = merged(written[middle...], split: split)
        else { return nil }
        head.append(tail)
        return head
    }

    @Test func anyGroupingOfASeriesWindowsGivesTheRunsOfItsTime() throws {
        var random = SplitMix64(seed: 20_261_122)
        for _ in 0..<300 {
            let windows = 1 + Int(random.next() % 8)
            var faults: [Bool] = []
            var fault = random.next() % 2 == 0
            for _ in 0..<(windows * Int(Self.length)) {
                if random.next() % 5 == 0 { fault.toggle() }
                faults.append(fault)
            }
            // Whole windows in fault now and then, and a window missing now and then.
            if random.next() % 3 == 0 {
                let whole = Int(random.next() % UInt64(windows)) * Int(Self.length)
                for unit in whole..<whole + Int(Self.length) { faults[unit] = true }
            }
            let present = (0..<windows).filter { $0 == 0 || $0 == windows - 1 || random.next() % 6 != 0 }
            // The time as written: units of missing windows are no fault.
            let seen = faults.indices.map { faults[$0] && present.contains($0 / Int(Self.length)) }
            let span = Int(Self.length) * present[0]..<Int(Self.length) * (present[present.count - 1] + 1)
            let written = present.map { Self.window($0, faults: faults) }
            let splits: [(Int) -> Int] = [{ _ in 1 }, { $0 - 1 }, { $0 / 2 }, { _ in Int(random.next() % 8) }]
            for split in splits {
                let runs = try #require(Self.merged(written[...], split: split))
                #expect(runs.longest == Self.longestRun(seen[span]), "\(faults) \(present)")
                #expect(runs.leading == Int64(seen[span].prefix { $0 }.count), "\(faults) \(present)")
                #expect(runs.trailing == Int64(seen[span].reversed().prefix { $0 }.count), "\(faults) \(present)")
                #expect(runs.span == Int64(span.lowerBound)..<Int64(span.upperBound))
            }
        }
    }

    @Test func runsOfTwoSeriesNeverJoin() {
        // Series a ends in a 6 long fault, series b starts with a 7 long one in the next window.
        var runs = FaultRunMerge(window: 0..<10, longest: 6, leading: 0, trailing: 6)
        runs.add(FaultRunMerge(window: 10..<20, longest: 7, leading: 7, trailing: 0))
        #expect(runs.longest == 7 && runs.span == nil)
        runs.append(FaultRunMerge(window: 20..<30, longest: 4, leading: 4, trailing: 0))
        #expect(runs.longest == 7, "nothing joins a merge of several series")
    }

    @Test func theTwoRecordsOfAWindowKeepTheLongerPartAndTheFirstLeadingAndSecondTrailingRun() {
        var window = FaultRunMerge(window: 0..<60, longest: 20, leading: 20, trailing: 0)
        window.addRestOfWindow(FaultRunMerge(window: 0..<60, longest: 15, leading: 0, trailing: 15))
        #expect(window.longest == 20 && window.leading == 20 && window.trailing == 15 && window.span == 0..<60)
        var before = FaultRunMerge(window: -60..<0, longest: 60, leading: 60, trailing: 60)
        before.append(window)
        #expect(before.longest == 80 && before.leading == 80 && before.trailing == 15)
    }
}
