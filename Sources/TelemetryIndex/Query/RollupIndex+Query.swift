import Foundation
import GRDB

extension RollupIndex {
    /// Answers `request` from one consistent snapshot of the index: the coarsest stored tier
    /// that divides the step, each bucket the exact merge of that tier's partials (both records
    /// of a window cut short by a restart included), series merged by `group_by`.
    public func query(_ request: QueryRequest, limits: QueryLimits = QueryLimits()) throws(QueryError) -> QueryResult {
        let deadline = ContinuousClock.now.advanced(by: limits.timeout)
        let tiers: [Int64]
        do { tiers = try self.tiers() } catch { throw QueryError(.unavailable, error.description) }
        let (from, to, step, zone) = (request.fromMillis, request.toMillis, request.step, request.timeZone)
        guard !tiers.isEmpty else {
            // Nothing indexed yet: an empty answer, its tier the step itself.
            var length: Int64 = 86_400_000
            if case .fixed(let millis) = step { length = millis }
            return QueryResult(request: request, tierMillis: length, series: [])
        }
        guard let bucketCount = QueryBuckets.bucketCount(from: from, to: to, step: step, timeZone: zone) else {
            throw QueryError(.badRequest, parameter: "step", "step \(step) cannot cover the range from `from` to `to`")
        }
        guard bucketCount <= limits.maxPoints else {
            throw QueryError(
                .badRequest, parameter: "step",
                "the range holds \(bucketCount) buckets of \(step), over the limit of \(limits.maxPoints) points: "
                    + "use a longer step or a shorter range")
        }
        guard let tier = QueryBuckets.tier(for: step, tiers: tiers, timeZone: zone, from: from, to: to),
            let buckets = QueryBuckets.buckets(from: from, to: to, step: step, timeZone: zone), let first = buckets.first,
            let last = buckets.last
        else {
            let stored = tiers.map { QueryStep.fixed(millis: $0).description }.joined(separator: ", ")
            var midnights = ""
            if case .days = step { midnights = " at the midnights of \(request.timeZoneName)" }
            throw QueryError(
                .badRequest, parameter: "step",
                "step \(step) is not a whole number of windows of a stored tier (\(stored))\(midnights)")
        }
        do {
            return try database.read { db in
                let selected = try Self.selectSeries(request, in: db)
                let points = buckets.count.multipliedReportingOverflow(by: selected.groups.count)
                guard !points.overflow, points.partialValue <= limits.maxPoints else {
                    throw QueryError(
                        .badRequest,
                        "the query would return \(buckets.count) buckets × \(selected.groups.count) series, over the limit "
                            + "of \(limits.maxPoints) points: narrow the names or the range, or use a longer step")
                }
                var merges = [[Int: PartialMerge]](repeating: [:], count: selected.groups.count)
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT start_ms, count, sum, min, max, m2, first_ts, first_value, last_ts, last_value,
                            increase, resets, states, complete
                        FROM partial WHERE series_id = ? AND tier_ms = ? AND start_ms >= ? AND start_ms < ?
                        ORDER BY start_ms, origin
                        """)
                for member in selected.members {
                    guard ContinuousClock.now < deadline else {
                        throw QueryError(.timedOut, "the query ran longer than \(limits.timeout) and was abandoned")
                    }
                    var window: [RollupRecord] = []
                    let rows = try Row.fetchCursor(
                        statement, arguments: [member.id, tier, first.lowerBound, last.upperBound])
                    while let row = try rows.next() {
                        let record = Self.record(row, tier: tier)
                        if let open = window.first, open.startMillis != record.startMillis {
                            Self.add(window, to: &merges[member.group], buckets: buckets, step: step)
                            window.removeAll(keepingCapacity: true)
                        }
                        window.append(record)
                    }
                    Self.add(window, to: &merges[member.group], buckets: buckets, step: step)
                }
                var series: [QueryResult.Series] = []
                for (index, group) in selected.groups.enumerated() where !merges[index].isEmpty {
                    let points = merges[index].sorted { $0.key < $1.key }.map { bucket, merge in
                        QueryResult.Point(start: buckets[bucket].lowerBound, end: buckets[bucket].upperBound, merge: merge)
                    }
                    series.append(QueryResult.Series(group: group.group, kind: group.kind, unit: group.unit, points: points))
                }
                series.sort { QueryGroup.precedes($0.group, $1.group) }
                return QueryResult(request: request, tierMillis: tier, series: series)
            }
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.unavailable, "reading the query index \(path) failed: \(error)")
        }
    }

    /// The series matching the request's names, and the groups they fall into.
    private static func selectSeries(
        _ request: QueryRequest, in db: Database
    ) throws -> (groups: [(group: QueryGroup, kind: String, unit: String)], members: [(id: Int64, group: Int)]) {
        var groups: [(group: QueryGroup, kind: String, unit: String)] = []
        var groupIndex: [QueryGroup: Int] = [:]
        var members: [(id: Int64, group: Int)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, park, site, device, metric, kind, unit FROM series")
        while let row = try rows.next() {
            let name = SeriesName(
                park: IndexAppender.bytes(row[1]), site: IndexAppender.bytes(row[2]), device: IndexAppender.bytes(row[3]),
                metric: IndexAppender.bytes(row[4]))
            guard request.park.matches(name.park), request.site.matches(name.site), request.device.matches(name.device),
                request.metric.matches(name.metric)
            else { continue }
            let group = QueryGroup(name, grouping: request.groupBy)
            let index: Int
            if let known = groupIndex[group] {
                index = known
            } else {
                index = groups.count
                groupIndex[group] = index
                groups.append((group, row[5], row[6]))
            }
            members.append((row[0], index))
        }
        return (groups, members)
    }

    /// Adds the records of one window (one or more rows with the same start) to its bucket.
    private static func add(
        _ window: [RollupRecord], to merges: inout [Int: PartialMerge], buckets: [Range<Int64>], step: QueryStep
    ) {
        guard let start = window.first?.startMillis, let bucket = bucketIndex(of: start, in: buckets, step: step) else { return }
        let complete = window.contains { $0.complete }
        for record in window { merges[bucket, default: PartialMerge()].add(record, windowComplete: complete) }
    }

    private static func bucketIndex(of millis: Int64, in buckets: [Range<Int64>], step: QueryStep) -> Int? {
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

    private static func record(_ row: Row, tier: Int64) -> RollupRecord {
        let start: Int64 = row[0]
        return RollupRecord(
            startMillis: start, endMillis: start + tier, series: SeriesName(park: [], site: [], device: [], metric: []),
            kind: "", unit: "", count: row[1], sum: row[2], min: row[3], max: row[4], m2: row[5],
            first: timedValue(millis: row[6], value: row[7]), last: timedValue(millis: row[8], value: row[9]),
            increase: row[10], resets: row[11], states: (row[12] as Data?).flatMap(StateTime.decode) ?? [],
            complete: row[13])
    }

    static func timedValue(millis: Int64?, value: DatabaseValue) -> TimedValue? {
        guard let millis else { return nil }
        switch value.storage {
        case .double(let number): return TimedValue(millis: millis, value: .number(number))
        case .int64(let number): return TimedValue(millis: millis, value: .number(Double(number)))
        case .blob(let data): return TimedValue(millis: millis, value: .state([UInt8](data)))
        case .string(let text): return TimedValue(millis: millis, value: .state(Array(text.utf8)))
        case .null: return nil
        }
    }
}
