@testable import Telemetry

extension SparseBins {
    /// The same bins, dense (`SketchBins.replace`, as a written window's sketch gets them): what
    /// the differential tests compare with the dense store's own adds and merges.
    var dense: SketchBins {
        var dense = SketchBins()
        dense.replace(with: self)
        return dense
    }
}
