import Foundation
import GRDB
import GRDBSQLite

extension RollupIndex {
    /// Answers `request` from one consistent snapshot of the index: the coarsest stored tier
    /// that divides the step, each bucket the exact merge of that tier's partials (both records
    /// of a window cut short by a restart included), series merged by `group_by`. The timeout
    /// counts from `arrival`: a query that waited for a thread has less of it left.
    public func query(
        _ request: QueryRequest, limits: QueryLimits = QueryLimits(), arrival: ContinuousClock.Instant = .now
    ) throws(QueryError) -> QueryResult {
        let deadline = QueryDeadline(arrival.advanced(by: limits.timeout))
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
            let buckets = QueryBuckets.buckets(from: from, to: to, step: step, timeZone: zone), !buckets.isEmpty
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
                    let columns = PartialRow.Columns(request.aggregates)
                    let sql = PartialRow.select(columns)
                    let scan = BucketScan(
                        members: selected.members, tier: tier, buckets: buckets, step: step, deadline: deadline,
                        columns: columns)
                    let merges: [PartialMerge?] =
                        columns.includeNamed
                        ? try run(scan, PartialMerge.self, points: points.partialValue, sql: sql, in: db)
                        : try run(scan, PartialNumbers.self, points: points.partialValue, sql: sql, in: db)
                    var series: [QueryResult.Series] = []
                    for (index, group) in selected.groups.enumerated() {
                        let offset = index * buckets.count
                        let points = buckets.indices.compactMap { bucket in
                            merges[offset + bucket].map {
                                QueryResult.Point(start: buckets[bucket].lowerBound, end: buckets[bucket].upperBound, merge: $0)
                            }
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
        } catch let error where error is QueryDeadline.Passed || QueryDeadline.interrupted(error) {
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
