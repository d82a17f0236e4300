import Foundation

@testable import Telemetry

/// Seeded value streams for the sketch tests: the shapes of the accuracy requirement.
enum SketchStream: String, CaseIterable, CustomStringConvertible, Sendable {
    /// A gauge around 20 with σ = 5 (temperature-like; a few values near or below zero).
    case normal
    /// exp(N(0, 2²)): positive, spread over about 17 decades of e.
    case logNormal
    /// Half N(−10, 2²), half N(60, 5²): two modes of opposite sign.
    case bimodal
    /// Pareto with shape 1.5 and scale 1: a heavy tail (infinite variance).
    case pareto
    /// Every value 42.5.
    case constant
    /// 30 % exact zeros, the rest exponential with mean 3 (rain-gauge-like).
    case zeroInflated

    var description: String { rawValue }

    /// `count` values of this stream from `seed`.
    func values(count: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in value(&random) }
    }

    private func value(_ random: inout SplitMix64) -> Double {
        switch self {
        case .normal: 20 + 5 * random.standardNormal()
        case .logNormal: exp(2 * random.standardNormal())
        case .bimodal: random.next() & 1 == 0 ? -10 + 2 * random.standardNormal() : 60 + 5 * random.standardNormal()
        case .pareto: 1 / pow(random.unitIntervalOpenAtZero(), 1 / 1.5)
        case .constant: 42.5
        case .zeroInflated: random.unitIntervalOpenAtZero() < 0.3 ? 0 : -3 * log(random.unitIntervalOpenAtZero())
        }
    }
}

extension SplitMix64 {
    /// A uniform value in (0, 1], in steps of 2⁻⁵³.
    mutating func unitIntervalOpenAtZero() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// N(0, 1) by Box–Muller (one of the pair).
    mutating func standardNormal() -> Double {
        let radius = (-2 * log(unitIntervalOpenAtZero())).squareRoot()
        return radius * cos(2 * Double.pi * unitIntervalOpenAtZero())
    }
}

/// The exact q-quantile of `sorted` (ascending): the element at index ⌊q · (n − 1)⌋, the rank
/// definition the sketch documents.
func exactQuantile(_ q: Double, of sorted: [Double]) -> Double {
    sorted[Int((q * (Double(sorted.count) - 1)).rounded(.down))]
}

/// The quantiles every accuracy test checks.
let quantileGrid: [Double] = (0...50).map { Double($0) / 100 } + [0.9, 0.95, 0.99, 0.999, 1]

/// |estimate − exact| / |exact|, 0 when both are 0 (and infinity when only `exact` is 0).
func relativeError(_ estimate: Double, _ exact: Double) -> Double {
    estimate == exact ? 0 : abs(estimate - exact) / abs(exact)
}

/// A sketch of `values`; the values must all be accepted.
func sketch(of values: [Double], relativeAccuracy: Double = 0.01, binLimit: Int = 2048) throws -> QuantileSketch {
    var sketch = try QuantileSketch(relativeAccuracy: relativeAccuracy, binLimit: binLimit)
    for value in values { try sketch.add(value) }
    return sketch
}
