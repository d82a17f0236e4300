/// The quantile sketch bins of one open gauge window, kept beside its `NumericWindow` (same
/// slot index) in `WindowAggregator.sketches`.
///
/// Only the bins, and only the non-empty ones (`SparseBins`): the relative accuracy and bin
/// limit are the aggregator's (one `LogarithmicMapping` for every window), and the count,
/// minimum and maximum are the window's `NumericPartial`'s. A window pays 40 bytes plus 16 per
/// bin in use. The bins' arrays are kept when a slot is reused (`reset`), so opening a window
/// allocates nothing once its slot has held one of similar spread.
struct WindowSketch {
    var positive = SparseBins()
    var negative = SparseBins()
    /// Values counted as zero (see `QuantileSketch.zeroCount`).
    var zeroCount: UInt64 = 0

    /// Counts `value` (finite: validation refused the rest). A magnitude above the largest
    /// indexable one (`DBL_MAX / γ`, about 1.76 · 10³⁰⁸ at α = 1 %) is counted in the highest
    /// key's bin, whose representative then is within 2α of it. One logarithm and a binary
    /// search over the window's bins.
    @inline(__always)
    mutating func add(_ value: Double, mapping: LogarithmicMapping, limit: Int) {
        let magnitude = value.magnitude
        guard magnitude > mapping.smallestIndexable else {
            zeroCount = zeroCount.addingSaturated(1)
            return
        }
        let key = mapping.key(for: Swift.min(magnitude, mapping.largestIndexable))
        if value > 0 {
            positive.add(key: key, limit: limit)
        } else {
            negative.add(key: key, limit: limit)
        }
    }

    /// Adds `other`'s counts (a finer window of the same series) bin for bin, merging through
    /// `scratch`.
    mutating func merge(_ other: WindowSketch, limit: Int, scratch: inout [SparseBins.Bin]) {
        positive.merge(other.positive, limit: limit, scratch: &scratch)
        negative.merge(other.negative, limit: limit, scratch: &scratch)
        zeroCount = zeroCount.addingSaturated(other.zeroCount)
    }

    /// Empties the bins for the next window of the slot, keeping their storage.
    mutating func reset() {
        positive.removeAll()
        negative.removeAll()
        zeroCount = 0
    }

    init() {}

    /// The values counted, held at `UInt64.max`.
    var count: UInt64 { positive.total.addingSaturated(negative.total).addingSaturated(zeroCount) }

    /// Writes the bins for a checkpoint: the zero count (a varint), then each sign's
    /// (`SparseBins.encode`).
    func encode(to writer: inout CheckpointWriter) {
        writer.writeVarint(zeroCount)
        positive.encode(to: &writer)
        negative.encode(to: &writer)
    }

    /// Reads bins written by `encode(to:)` in checkpoint format `format`, with keys in `keys`
    /// and at most `limit` per sign.
    init(from reader: inout CheckpointReader, keys: ClosedRange<Int>, limit: Int, format: UInt64) throws(CheckpointError) {
        zeroCount = format >= CheckpointFile.compactSketchVersion ? try reader.readVarint() : try reader.readUInt64()
        positive = try SparseBins(from: &reader, keys: keys, limit: limit, format: format)
        negative = try SparseBins(from: &reader, keys: keys, limit: limit, format: format)
    }

    /// Makes `sketch` (of the aggregator's mapping and bin limit) the window's `QuantileSketch`:
    /// these bins, and the count, minimum and maximum of the window's `partial`. Reuses the
    /// storage of `sketch`'s bins (see `SketchBins.replace`).
    func fill(_ sketch: inout QuantileSketch, partial: NumericPartial) {
        sketch.positive.replace(with: positive)
        sketch.negative.replace(with: negative)
        sketch.zeroCount = zeroCount
        sketch.count = UInt64(Swift.max(0, partial.count))
        (sketch.lowest, sketch.highest) = partial.count > 0 ? (partial.min, partial.max) : (.infinity, -.infinity)
    }
}
