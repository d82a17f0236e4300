import Foundation
import GRDB
import GRDBSQLite

extension RollupIndex {
    /// Answers `request` from one consistent snapshot of the index: the coarsest stored tier
    /// that divides the step, each bucket the exact merge of that tier's partials (both records
    /// of a window cut short by a restart included), series merged by `group_by`.
    public func query(_ request: QueryRequest, limits: QueryLimits = QueryLimits()) throws(QueryError) -> QueryResult {
        let deadline = QueryDeadline(ContinuousClock.now.advanced(by: limits.timeout))
        let timedOut = QueryError(.timedOut, "the query ran longer than \(limits.timeout) and was abandoned")
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
                try deadline.enforce(on: db) {
                    let selected = try selectSeries(request, in: db)
                    let points = buckets.count.multipliedReportingOverflow(by: selected.groups.count)
                    guard !points.overflow, points.partialValue <= limits.maxPoints else {
                        throw QueryError(
                            .badRequest,
                            "the query would return \(buckets.count) buckets × \(selected.groups.count) series, over the limit "
                                + "of \(limits.maxPoints) points: narrow the names or the range, or use a longer step")
                    }
                    // A merge per group and bucket, group-major (at most `maxPoints`, checked above), and
                    // whether any window reached it: adding to an empty merge is taking the window's.
                    var merges = [PartialMerge](repeating: PartialMerge(), count: points.partialValue)
                    var filled = [Bool](repeating: false, count: points.partialValue)
                    let needed = PartialRow.Needed(request.aggregates)
                    let statement = try db.cachedStatement(sql: PartialRow.select(needed))
                    for member in selected.members {
                        guard !deadline.hasPassed else { throw timedOut }
                        let offset = member.group * buckets.count
                        // A window's rows (two when a restart cut it short) merge first: the
                        // window is complete when any of them is.
                        var window = PartialMerge()
                        var windowStart: Int64?
                        var windowComplete = false
                        let rows = try Row.fetchCursor(
                            statement, arguments: [member.id, tier, first.lowerBound, last.upperBound])
                        let sqlite = statement.sqliteStatement
                        while try rows.next() != nil {
                            let start = PartialRow.start(sqlite)
                            let row = PartialRow.merge(sqlite, needed: needed)
                            if start == windowStart {
                                window.add(row)
                                windowComplete = windowComplete || row.complete
                                continue
                            }
                            if let windowStart, let bucket = Self.bucketIndex(of: windowStart, in: buckets, step: step) {
                                window.complete = windowComplete
                                merges[offset + bucket].add(window)
                                filled[offset + bucket] = true
                            }
                            windowComplete = row.complete
                            window = row
                            windowStart = start
                        }
                        if let windowStart, let bucket = Self.bucketIndex(of: windowStart, in: buckets, step: step) {
                            window.complete = windowComplete
                            merges[offset + bucket].add(window)
                            filled[offset + bucket] = true
                        }
                    }
                    var series: [QueryResult.Series] = []
                    for (index, group) in selected.groups.enumerated() {
                        let offset = index * buckets.count
                        let points = buckets.indices.filter { filled[offset + $0] }.map { bucket in
                            QueryResult.Point(
                                start: buckets[bucket].lowerBound, end: buckets[bucket].upperBound, merge: merges[offset + bucket]
                            )
                        }
                        guard !points.isEmpty else { continue }
                        series.append(QueryResult.Series(group: group.group, kind: group.kind, unit: group.unit, points: points))
                    }
                    series.sort { QueryGroup.precedes($0.group, $1.group) }
                    return QueryResult(request: request, tierMillis: tier, series: series)
                }
            }
        } catch let error as QueryError {
            throw error
        } catch let error where QueryDeadline.interrupted(error) {
            throw timedOut
        } catch {
            throw QueryError(.unavailable, "reading the query index \(path) failed: \(error)")
        }
    }

    /// The series matching the request's names (from the catalogue in memory), and the groups
    /// they fall into.
    private func selectSeries(
        _ request: QueryRequest, in db: Database
    ) throws -> (groups: [(group: QueryGroup, kind: String, unit: String)], members: [(id: Int64, group: Int)]) {
        var groups: [(group: QueryGroup, kind: String, unit: String)] = []
        var groupIndex: [QueryGroup: Int] = [:]
        var members: [(id: Int64, group: Int)] = []
        for entry in try catalogue.current(in: db) {
            let name = entry.name
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
                groups.append((group, entry.kind, entry.unit))
            }
            members.append((entry.id, index))
        }
        return (groups, members)
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
