import GRDB

/// The scan at the heart of a query: each selected series' rows of one tier, merged window by
/// window and then into its group's buckets. A window's rows (two when a restart cut it short)
/// merge first: the window is complete when any of them is, and a bucket is complete when
/// every window in it is.
///
/// A series' windows of one bucket are appended to each other in start order before the
/// series is added to its group's bucket, so that a merge knows the next window of a series
/// from another series (fault runs join across the first and never across the second): the
/// rows come in start order, so a series' windows of one bucket are consecutive.
///
/// A scan covers any range of the members, so that a long one can be split between threads:
/// the merges of two ranges add up to the merges of both (`Part.add`).
struct BucketScan: Sendable {
    let members: [(id: Int64, group: Int)]
    let tier: Int64
    let buckets: [Range<Int64>]
    let step: QueryStep
    let deadline: QueryDeadline
    let columns: PartialRow.Columns

    /// The merges of some members: one per group and bucket, group-major, and whether any
    /// window reached each (adding to an empty merge is taking the window's).
    struct Part<Figures: WindowFigures>: Sendable {
        var merges: [Figures]
        var filled: [Bool]

        init(points: Int) {
            merges = [Figures](repeating: Figures(), count: points)
            filled = [Bool](repeating: false, count: points)
        }

        /// Adds the merges of other members.
        mutating func add(_ other: Part) {
            for point in other.filled.indices where other.filled[point] {
                if filled[point] {
                    merges[point].add(other.merges[point])
                } else {
                    (merges[point], filled[point]) = (other.merges[point], true)
                }
            }
        }

        /// A merge per point, nil where no window fell.
        var result: [PartialMerge?] { zip(merges, filled).map { merge, filled in filled ? merge.merge : nil } }
    }

    /// Scans `members[range]` with `statement` (``PartialRow/select(_:)`` of these columns).
    /// `Figures` is the leanest type that holds what the query asked for.
    func scan<Figures: WindowFigures>(
        _: Figures.Type, _ range: Range<Int>, statement: Statement, points: Int
    ) throws -> Part<Figures> {
        var part = Part<Figures>(points: points)
        guard let first = buckets.first, let last = buckets.last else { return part }
        let sqlite = statement.sqliteStatement
        for member in members[range] {
            guard !deadline.hasPassed else { throw QueryDeadline.Passed() }
            let offset = member.group * buckets.count
            var window = Figures()
            var windowStart: Int64?
            var windowComplete = false
            // The member's windows of one bucket so far.
            var series = Figures()
            var seriesBucket: Int?
            func addSeries() {
                guard let bucket = seriesBucket else { return }
                part.merges[offset + bucket].add(series)
                part.filled[offset + bucket] = true
            }
            func close() {
                guard let start = windowStart, let bucket = bucketIndex(of: start) else { return }
                window.complete = windowComplete
                if bucket == seriesBucket {
                    series.append(window)
                } else {
                    addSeries()
                    (series, seriesBucket) = (window, bucket)
                }
            }
            let rows = try Row.fetchCursor(statement, arguments: [member.id, tier, first.lowerBound, last.upperBound])
            while try rows.next() != nil {
                let start = PartialRow.start(sqlite)
                let row = Figures(row: sqlite, columns: columns)
                if start == windowStart {
                    window.addRestOfWindow(row)
                    windowComplete = windowComplete || row.complete
                    continue
                }
                close()
                windowComplete = row.complete
                window = row
                windowStart = start
            }
            close()
            addSeries()
        }
        return part
    }

    /// The bucket a window starting at `millis` falls in.
    private func bucketIndex(of millis: Int64) -> Int? {
        guard let first = buckets.first, millis >= first.lowerBound else { return nil }
        if case .fixed(let length) = step {
            let index = Int((millis - first.lowerBound) / length)
            return index < buckets.count ? index : nil
        }
        var (low, high) = (0, buckets.count)
        while low < high {
            let middle = (low + high) / 2
            if buckets[middle].upperBound <= millis { low = middle + 1 } else { high = middle }
        }
        return low < buckets.count && buckets[low].contains(millis) ? low : nil
    }
}
