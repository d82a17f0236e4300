/// Why a `QuantileSketch` refused a parameter, a value or a merge. The sketch is unchanged.
public enum QuantileSketchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// α outside `QuantileSketch.relativeAccuracyRange`.
    case relativeAccuracyOutOfRange(Double)
    /// A bin limit outside 1…`QuantileSketch.maximumBinLimit`.
    case binLimitOutOfRange(Int)
    /// NaN or ±infinity: it has no bin, and counting it as zero (as the reference does with
    /// NaN) would shift every rank.
    case nonFinite(Double)
    /// A magnitude above `DBL_MAX / γ`, whose bin's representative is not finite.
    case tooLarge(Double)
    /// Merging sketches of different α (`self`'s, the other's): their bins are different
    /// intervals, so adding them bin for bin would be meaningless.
    case relativeAccuracyMismatch(Double, Double)

    /// The message for logs and the command line.
    public var description: String {
        switch self {
        case .relativeAccuracyOutOfRange(let alpha):
            "relative accuracy \(alpha) is outside \(QuantileSketch.relativeAccuracyRange)"
        case .binLimitOutOfRange(let limit):
            "bin limit \(limit) is outside 1...\(QuantileSketch.maximumBinLimit)"
        case .nonFinite(let value): "\(value) is not finite and has no bin"
        case .tooLarge(let value): "\(value) is too large for the sketch (above DBL_MAX / γ)"
        case .relativeAccuracyMismatch(let own, let other):
            "cannot merge a sketch of relative accuracy \(other) into one of \(own)"
        }
    }
}
