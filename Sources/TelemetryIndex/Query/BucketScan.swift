import GRDB

/// The scan at the heart of a query: each selected series' rows of one tier, merged window by
/// window and then into its group's buckets. A window's rows (two when a restart cut it short)
/// merge first: the window is complete when any of them is, and a bucket is complete when
/// every window in it is.
struct BucketScan {
    let statement: Statement
    let members: [(id: Int64, group: Int)]
    let tier: Int64
    let buckets: [Range<Int64>]
    let step: QueryStep
    let deadline: QueryDeadline
    let columns: PartialRow.Columns

    /// A merge per group and bucket, group-major (`points` of them), nil where no window fell.
    /// `Figures` is the leanest type that holds what the query asked for.
    func run<Figures: WindowFigures>(_: Figures.Type, points: Int) throws -> [PartialMerge?] {
        guard let first = buckets.first, let last = buckets.last else { return [] }
        var merges = [Figures](repeating: Figures(), count: points)
        // Whether any window reached a bucket: adding to an empty merge is taking the window's.
        var filled = [Bool](repeating: false, count: points)
        let sqlite = statement.sqliteStatement
        for member in members {
            guard !deadline.hasPassed else { throw QueryDeadline.Passed() }
            let offset = member.group * buckets.count
            var window = Figures()
            var windowStart: Int64?
            var windowComplete = false
            func close() {
                guard let start = windowStart, let bucket = bucketIndex(of: start) else { return }
                window.complete = windowComplete
                merges[offset + bucket].add(window)
                filled[offset + bucket] = true
            }
            let rows = try Row.fetchCursor(statement, arguments: [member.id, tier, first.lowerBound, last.upperBound])
            while try rows.next() != nil {
                let start = PartialRow.start(sqlite)
                let row = Figures(row: sqlite, columns: columns)
                if start == windowStart {
                    window.add(row)
                    windowComplete = windowComplete || row.complete
                    continue
                }
                close()
                windowComplete = row.complete
                window = row
                windowStart = start
            }
            close()
        }
        return zip(merges, filled).map { merge, filled in filled ? merge.merge : nil }
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
