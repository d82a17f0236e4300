import Foundation
import Testing

@testable import Telemetry

@Suite("QuantileSketch")
struct QuantileSketchTests {
    @Test func emptySketchAnswersNothing() {
        let sketch = QuantileSketch()
        #expect(sketch.count == 0)
        #expect(sketch.min == nil && sketch.max == nil)
        #expect(sketch.quantile(0.5) == nil)
        #expect(sketch.relativeAccuracy == 0.01 && sketch.binLimit == 2048)
    }

    @Test func quantileOutsideZeroToOneIsNil() throws {
        var sketch = QuantileSketch()
        try sketch.add(1)
        #expect(sketch.quantile(-0.01) == nil)
        #expect(sketch.quantile(1.01) == nil)
        #expect(sketch.quantile(.nan) == nil)
        #expect(sketch.quantile(0) != nil && sketch.quantile(1) != nil)
    }

    /// The reference (ddsketch 3.0.1) answers 0.99, 5.0028 and 10.07 (rounded) for {1…10}.
    @Test func oneToTenGivesTheReferencesBinRepresentatives() throws {
        let sketch = try sketch(of: (1...10).map(Double.init))
        let q0 = try #require(sketch.quantile(0))
        let q50 = try #require(sketch.quantile(0.5))
        let q100 = try #require(sketch.quantile(1))
        #expect(abs(q0 - 0.99) < 0.005)
        #expect(abs(q50 - 5.0028) < 0.0001)
        #expect(abs(q100 - 10.07) < 0.01)
        // Not clamped to the exact minimum and maximum, which the sketch keeps beside.
        #expect(q0 < 1 && q100 > 10)
        #expect(sketch.min == 1 && sketch.max == 10)
    }

    @Test func keysAreTheCeilingOfLogGamma() {
        let mapping = LogarithmicMapping(relativeAccuracy: 0.01)
        #expect(mapping.gamma == 1 + 2 * 0.01 / 0.99)
        #expect(mapping.key(for: 1) == 0)
        #expect(mapping.key(for: 1.0001) == 1)
        #expect(mapping.key(for: 0.9999) == 0)
        // Bin i is (γ^(i−1), γ^i]: its representative is within α of both ends.
        for key in [-500, -1, 1, 7, 100, 1_000] {
            let representative = mapping.value(forKey: key)
            #expect(mapping.key(for: representative) == key)
            let upper = pow(mapping.gamma, Double(key))
            let lower = pow(mapping.gamma, Double(key - 1))
            #expect(abs(representative - upper) / upper <= 0.01 * (1 + 1e-9))
            #expect(abs(representative - lower) / lower <= 0.01 * (1 + 1e-9))
        }
    }

    @Test func zerosAndTinyMagnitudesAreCountedAsZero() throws {
        var sketch = QuantileSketch()
        for value in [0.0, -0.0, Double.leastNonzeroMagnitude, -Double.leastNormalMagnitude, 5] {
            try sketch.add(value)
        }
        #expect(sketch.zeroCount == 4)
        #expect(sketch.count == 5)
        #expect(sketch.quantile(0) == 0)
        #expect(sketch.quantile(0.75) == 0)
        #expect(abs(try #require(sketch.quantile(1)) - 5) <= 0.05)
        #expect(sketch.min == -Double.leastNormalMagnitude)
    }

    @Test func negativeValuesAreBinnedByMagnitude() throws {
        let values: [Double] = [-1_000, -10, -0.5, 0, 0.5, 10, 1_000]
        let sketch = try sketch(of: values)
        #expect(sketch.negative.total == 3 && sketch.positive.total == 3 && sketch.zeroCount == 1)
        for (index, exact) in values.enumerated() {
            let estimate = try #require(sketch.quantile(Double(index) / 6))
            #expect(relativeError(estimate, exact) <= 0.01 * (1 + 1e-9), "\(exact) → \(estimate)")
        }
    }

    @Test func nonFiniteAndHugeValuesAreRejectedAndChangeNothing() throws {
        var sketch = QuantileSketch()
        try sketch.add(3)
        let before = sketch
        #expect(throws: QuantileSketchError.nonFinite(.infinity)) { try sketch.add(.infinity) }
        #expect(throws: QuantileSketchError.nonFinite(-.infinity)) { try sketch.add(-.infinity) }
        #expect(throws: QuantileSketchError.self) { try sketch.add(.nan) }
        #expect(throws: QuantileSketchError.tooLarge(.greatestFiniteMagnitude)) {
            try sketch.add(.greatestFiniteMagnitude)
        }
        #expect(sketch == before)
        try sketch.add(1e300)
        try sketch.add(-1e300)
        #expect(sketch.count == 3)
    }

    @Test func parametersOutsideTheirRangesAreRejected() {
        #expect(throws: QuantileSketchError.relativeAccuracyOutOfRange(0)) { try QuantileSketch(relativeAccuracy: 0) }
        #expect(throws: QuantileSketchError.relativeAccuracyOutOfRange(0.6)) {
            try QuantileSketch(relativeAccuracy: 0.6)
        }
        #expect(throws: QuantileSketchError.self) { try QuantileSketch(relativeAccuracy: .nan) }
        #expect(throws: QuantileSketchError.binLimitOutOfRange(0)) {
            try QuantileSketch(relativeAccuracy: 0.01, binLimit: 0)
        }
        #expect(throws: QuantileSketchError.binLimitOutOfRange(16_385)) {
            try QuantileSketch(relativeAccuracy: 0.01, binLimit: 16_385)
        }
    }

    /// The collapsing rule: the `binLimit` keys ending at the highest key are kept, lower
    /// counts go to the lowest kept key; quantiles in kept bins stay within α.
    @Test func collapsingKeepsTheHighestKeysAndFoldsTheRestIntoTheLowestKept() throws {
        // 1,001 values log-spaced over 1…10⁶ with 100 bins (the fact sheet's measured case).
        let values = (0...1_000).map { pow(10, 6 * Double($0) / 1_000) }
        let sketch = try sketch(of: values, binLimit: 100)
        #expect(sketch.isCollapsed)
        #expect(sketch.positive.counts.count == 100)
        let highestKey = sketch.mapping.key(for: 1e6)
        #expect(sketch.positive.highestKey == highestKey)
        #expect(Int(sketch.positive.lowestKey) == highestKey - 99)
        let sorted = values.sorted()
        for q in [0.9, 0.99, 1] {
            let exact = exactQuantile(q, of: sorted)
            #expect(relativeError(try #require(sketch.quantile(q)), exact) <= 0.01 * (1 + 1e-9))
        }
        // The median (1000) lies below the kept bins: the lowest kept bin's representative.
        let lowestKept = sketch.mapping.value(forKey: Int(sketch.positive.lowestKey))
        #expect(sketch.quantile(0.5) == lowestKept)
        #expect(lowestKept > 1e5)
    }

    @Test func collapsedBinsDoNotDependOnTheOrderOfValues() throws {
        var random = SplitMix64(seed: 7)
        var values = (0..<5_000).map { _ in
            (random.next() & 1 == 0 ? -1 : 1) * exp(30 * random.unitIntervalOpenAtZero() - 15)
        }
        let reference = try sketch(of: values, binLimit: 64)
        #expect(reference.isCollapsed)
        for _ in 0..<5 {
            values.shuffle(using: &random)
            #expect(try sketch(of: values, binLimit: 64) == reference)
        }
        #expect(try sketch(of: values.sorted(), binLimit: 64) == reference)
        #expect(try sketch(of: Array(values.sorted().reversed()), binLimit: 64) == reference)
    }

    @Test func aLargeJumpUpwardCollapsesWithoutGrowingPastTheLimit() throws {
        var sketch = try QuantileSketch(relativeAccuracy: 0.01, binLimit: 16)
        try sketch.add(1e-300)
        try sketch.add(1e300)
        #expect(sketch.positive.counts.count == 16)
        #expect(sketch.positive.counts.first == 1 && sketch.positive.counts.last == 1)
        #expect(sketch.isCollapsed)
    }

    @Test func countsSaturateInsteadOfWrapping() {
        var bins = SketchBins()
        bins.add(key: 3, count: .max - 1, limit: 8)
        bins.add(key: 3, count: 5, limit: 8)
        bins.add(key: 5, count: 2, limit: 8)
        #expect(bins.counts == [.max, 0, 2])
        #expect(bins.total == .max)
    }
}
