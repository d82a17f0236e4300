import Testing

@testable import Telemetry

/// `SparseBins` (a window's non-empty bins) against `SketchBins` (every key from the lowest to
/// the highest), the store the reference comparisons check: the same keys added, and the same
/// merges, under the same bin limit, give the same bins, collapsed ones included.
@Suite("Sparse bins")
struct SparseBinsTests {
    /// Keys in clusters far apart (a machine's off, idle and running power), with a small limit
    /// now and then so that collapsing happens from either end.
    static func keys(count: Int, using generator: inout SplitMix64) -> [Int] {
        let centres = [-400, -20, 0, 35, 310, 2_000]
        return (0..<count).map { _ in
            centres[generator.next(below: centres.count)] + generator.next(below: 25) - 12
        }
    }

    @Test(arguments: [2_048, 300, 40, 1])
    func addingGivesTheDenseBins(limit: Int) {
        var generator = SplitMix64(seed: UInt64(limit))
        var sparse = SparseBins()
        var dense = SketchBins()
        for key in Self.keys(count: 3_000, using: &generator) {
            sparse.add(key: key, limit: limit)
            dense.add(key: key, count: 1, limit: limit)
            #expect(sparse.dense == dense)
        }
        #expect(sparse.isCollapsed == (limit < 2_500))
        let denseNonEmpty = dense.counts.enumerated().filter { $0.element > 0 }.map {
            SparseBins.Bin(key: dense.lowestKey + Int32($0.offset), count: $0.element)
        }
        #expect(sparse.bins == denseNonEmpty)
        #expect(sparse.bins.allSatisfy { $0.count > 0 })
    }

    /// Parts of up to 40 keys merge through the scratch array; parts of 1 to
    /// `binByBinMergeLimit` keys (a short window's) bin by bin.
    @Test(arguments: [2_048, 300, 40], [40, SparseBins.binByBinMergeLimit + 1])
    func mergingGivesTheDenseMerge(limit: Int, partKeys: Int) {
        var generator = SplitMix64(seed: 77 + UInt64(limit) + UInt64(partKeys))
        var scratch: [SparseBins.Bin] = []
        var merged = SparseBins()
        var denseMerged = SketchBins()
        for _ in 0..<60 {
            var part = SparseBins()
            var densePart = SketchBins()
            for key in Self.keys(count: generator.next(below: partKeys), using: &generator) {
                part.add(key: key, limit: limit)
                densePart.add(key: key, count: 1, limit: limit)
            }
            merged.merge(part, limit: limit, scratch: &scratch)
            denseMerged.merge(densePart, limit: limit)
            #expect(merged.dense == denseMerged)
        }
        #expect(merged.bins.map(\.key) == merged.bins.map(\.key).sorted())
    }

    @Test func emptiedBinsKeepTheirStorageAndStartAfresh() {
        var bins = SparseBins()
        for key in 0..<50 { bins.add(key: key * 7, limit: 2_048) }
        bins.add(key: 5_000, limit: 2_048)
        #expect(bins.isCollapsed && bins.bins.count == 2)
        bins.removeAll()
        #expect(bins.isEmpty && !bins.isCollapsed && bins.bins.capacity >= 50)
        bins.add(key: 3, limit: 10)
        #expect(bins.bins == [SparseBins.Bin(key: 3, count: 1)])
    }

    /// Checkpoint format 8 writes bins as varints; format 7's 16-byte bins still read.
    @Test func binsRoundTripThroughACheckpointInTheCompactAndTheOldLayout() throws {
        var generator = SplitMix64(seed: 0xB1)
        let keyRange = -2_048...2_048
        for _ in 0..<200 {
            var bins = SparseBins()
            for key in Self.keys(count: generator.next(below: 60), using: &generator) {
                bins.add(key: key, count: UInt64(1 + generator.next(below: 3)) << UInt64(generator.next(below: 40)), limit: 300)
            }
            var writer = CheckpointWriter()
            bins.encode(to: &writer)
            var reader = CheckpointReader(writer.bytes)
            #expect(try SparseBins(from: &reader, keys: keyRange, limit: 300, format: 8) == bins)
            #expect(reader.isAtEnd)
            #expect(writer.bytes.count <= 1 + 2 + bins.bins.count * 8)

            var old = CheckpointWriter()
            old.write(bins.isCollapsed)
            old.write(bins.bins.count)
            for bin in bins.bins {
                old.write(Int64(bin.key))
                old.write(bin.count)
            }
            var oldReader = CheckpointReader(old.bytes)
            #expect(try SparseBins(from: &oldReader, keys: keyRange, limit: 300, format: 7) == bins)
        }
    }

    @Test func damagedCompactBinsAreRefusedNotMisread() {
        var bins = SparseBins()
        for key in [3, 4, 9] { bins.add(key: key, limit: 300) }
        var writer = CheckpointWriter()
        bins.encode(to: &writer)
        let good = writer.bytes
        // A distance of 2^40 after the first key, a key outside the range, a count of 0, a cut.
        let damaged: [[UInt8]] = [
            Array(good[0..<4]) + [0x80, 0x80, 0x80, 0x80, 0x80, 0x20] + Array(good[5...]),
            [0, 1, 0xFE, 0xFF, 0x03, 1],
            [0, 1, 6, 0],
            Array(good.dropLast()),
        ]
        for bytes in damaged {
            var reader = CheckpointReader(bytes)
            #expect(throws: CheckpointError.self) { try SparseBins(from: &reader, keys: -100...100, limit: 300, format: 8) }
        }
    }
}
