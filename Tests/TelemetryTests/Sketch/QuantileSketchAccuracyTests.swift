import Foundation
import Testing

@testable import Telemetry

/// The accuracy requirement: on 1,000,000 values of each stream, every quantile of the
/// grid is within α of the exact one.
///
/// Rank definition: for n values sorted ascending, x₀ ≤ … ≤ xₙ₋₁, the exact q-quantile is
/// x at index ⌊q · (n − 1)⌋; "within α" means |estimate − exact| ≤ α · |exact| (so an exact 0
/// must be answered 0). A relative slack of 10⁻⁹ on α covers the rounding of log and pow
/// for values on a bin's boundary.
@Suite("QuantileSketch accuracy")
struct QuantileSketchAccuracyTests {
    static let valuesPerStream = 1_000_000

    @Test(arguments: SketchStream.allCases)
    func everyGridQuantileIsWithinAlphaOfTheSortedValues(stream: SketchStream) throws {
        let values = stream.values(count: Self.valuesPerStream, seed: 13)
        let sorted = values.sorted()
        for alpha in [0.01, 0.05] {
            let sketch = try sketch(of: values, relativeAccuracy: alpha)
            #expect(!sketch.isCollapsed)
            #expect(sketch.count == UInt64(values.count))
            #expect(sketch.min == sorted.first)
            #expect(sketch.max == sorted.last)
            var worst = 0.0
            for q in quantileGrid {
                let exact = exactQuantile(q, of: sorted)
                let estimate = try #require(sketch.quantile(q))
                let error = relativeError(estimate, exact)
                #expect(error <= alpha * (1 + 1e-9), "\(stream) α \(alpha) q \(q): \(estimate) for \(exact)")
                worst = max(worst, error)
            }
            print("sketch accuracy: \(stream), α \(alpha), \(values.count) values: max relative error \(worst)")
        }
    }
}
