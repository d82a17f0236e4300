import Foundation
import Testing

@testable import Telemetry

/// Merging sketches is sketching the union: bin for bin, zero count, count, min and max,
/// whatever the grouping and order, collapsed bins included.
@Suite("QuantileSketch merge")
struct QuantileSketchMergeTests {
    /// Mixed signs over 12 decades, exact zeros, and subnormals (counted as zero).
    static func mixedValues(count: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            switch random.next(below: 10) {
            case 0: 0
            case 1: Double.leastNonzeroMagnitude
            case 2, 3: -exp(28 * random.unitIntervalOpenAtZero() - 14)
            default: exp(28 * random.unitIntervalOpenAtZero() - 14)
            }
        }
    }

    /// `values` cut into `parts` random slices (some empty), each sketched.
    static func partSketches(
        _ values: [Double], parts: Int, binLimit: Int, random: inout SplitMix64
    ) throws -> [QuantileSketch] {
        var cuts = (0..<(parts - 1)).map { _ in random.next(below: values.count + 1) }
        cuts = [0] + cuts.sorted() + [values.count]
        return try (0..<parts).map { try sketch(of: Array(values[cuts[$0]..<cuts[$0 + 1]]), binLimit: binLimit) }
    }

    @Test(arguments: [2048, 64, 5])
    func mergeOfPartsEqualsTheSketchOfTheUnion(binLimit: Int) throws {
        var random = SplitMix64(seed: UInt64(binLimit))
        for round in 0..<20 {
            let values = Self.mixedValues(count: 1_000 + random.next(below: 3_000), seed: UInt64(round))
            let union = try sketch(of: values, binLimit: binLimit)
            #expect(union.isCollapsed == (binLimit < 2048))
            var parts = try Self.partSketches(values, parts: 2 + random.next(below: 8), binLimit: binLimit, random: &random)
            // Left to right.
            var merged = try QuantileSketch(relativeAccuracy: 0.01, binLimit: binLimit)
            for part in parts { try merged.merge(part) }
            #expect(merged == union)
            // Random order and grouping: merge two random sketches until one is left.
            while parts.count > 1 {
                let first = parts.remove(at: random.next(below: parts.count))
                let second = random.next(below: parts.count)
                var combined = first
                try combined.merge(parts[second])
                parts[second] = combined
            }
            #expect(parts == [union])
        }
    }

    @Test func mergeOfSortedHalvesEqualsTheUnion() throws {
        // Halves with disjoint key ranges exercise growth at both ends of the bins.
        let values = Self.mixedValues(count: 4_000, seed: 99).sorted()
        for binLimit in [2048, 40] {
            var low = try sketch(of: Array(values[..<2_000]), binLimit: binLimit)
            var high = try sketch(of: Array(values[2_000...]), binLimit: binLimit)
            let union = try sketch(of: values, binLimit: binLimit)
            let lowCopy = low
            try low.merge(high)
            try high.merge(lowCopy)
            #expect(low == union)
            #expect(high == union)
        }
    }

    @Test func theSmallerBinLimitWinsAndTheResultIsTheUnionBuiltWithIt() throws {
        let values = Self.mixedValues(count: 2_000, seed: 5)
        var wide = try sketch(of: Array(values[..<1_000]), binLimit: 2048)
        let narrow = try sketch(of: Array(values[1_000...]), binLimit: 30)
        try wide.merge(narrow)
        #expect(wide.binLimit == 30)
        #expect(wide == (try sketch(of: values, binLimit: 30)))
    }

    @Test func emptySketchesMergeAsIdentity() throws {
        let values = Self.mixedValues(count: 500, seed: 3)
        let full = try sketch(of: values)
        var intoEmpty = QuantileSketch()
        try intoEmpty.merge(full)
        #expect(intoEmpty == full)
        var withEmpty = full
        try withEmpty.merge(QuantileSketch())
        #expect(withEmpty == full)
    }

    @Test func differentRelativeAccuraciesDoNotMerge() throws {
        var sketch = QuantileSketch()
        try sketch.add(2)
        let before = sketch
        var other = try QuantileSketch(relativeAccuracy: 0.02)
        try other.add(3)
        #expect(throws: QuantileSketchError.relativeAccuracyMismatch(0.01, 0.02)) { try sketch.merge(other) }
        #expect(sketch == before)
    }
}
