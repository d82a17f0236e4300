import Foundation
import Telemetry

// What each aggregate of a point is, shared by the JSON and CSV renderings.

extension QueryResult.Point {
    /// An aggregate's value at this point; `.absent` where it does not apply (a mean of states, a
    /// quantile of a bucket without readings or with a window that has no sketch).
    public enum Value: Equatable {
        case absent
        case integer(Int64)
        case number(Double)
        case timed(TimedValue)
        /// Per state, in byte order of the names: milliseconds or shares.
        case perState([(name: [UInt8], value: Double)])

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.absent, .absent): true
            case (.integer(let a), .integer(let b)): a == b
            case (.number(let a), .number(let b)): a == b
            case (.timed(let a), .timed(let b)): a == b
            case (.perState(let a), .perState(let b)): a.map(\.name) == b.map(\.name) && a.map(\.value) == b.map(\.value)
            default: false
            }
        }
    }

    /// The value of `aggregate` over this point's bucket.
    public func value(of aggregate: QueryAggregate) -> Value {
        let merge = self.merge
        let numeric = merge.mean != nil
        switch aggregate {
        case .count: return .integer(merge.count)
        case .sum: return numeric ? .number(merge.sum) : .absent
        case .min: return merge.min.map(Value.number) ?? .absent
        case .max: return merge.max.map(Value.number) ?? .absent
        case .mean: return merge.mean.map(Value.number) ?? .absent
        case .stddev: return merge.standardDeviation.map(Value.number) ?? .absent
        case .first: return merge.first.map(Value.timed) ?? .absent
        case .last: return merge.last.map(Value.timed) ?? .absent
        case .increase: return merge.increase.map(Value.number) ?? .absent
        case .rate:
            guard let increase = merge.increase, end > start else { return .absent }
            return .number(increase / (Double(end - start) / 1000))
        case .stateMs, .stateShare:
            guard !merge.states.isEmpty else { return .absent }
            let names = merge.states.keys.sorted { $0.lexicographicallyPrecedes($1) }
            let total = Double(merge.stateMillis)
            return .perState(
                names.map { name in
                    let millis = Double(merge.states[name]?.millis ?? 0)
                    return (name, aggregate == .stateMs ? millis : (total > 0 ? millis / total : 0))
                })
        case .transitions: return merge.stateMeasures.transitions.map(Value.integer) ?? .absent
        case .availability: return merge.stateMeasures.availability.map(Value.number) ?? .absent
        case .longestFaultMs: return merge.stateMeasures.longestFaultMillis.map(Value.integer) ?? .absent
        case .quantile(let quantile):
            guard merge.count > 0, let value = merge.sketch?.quantile(quantile.fraction) else { return .absent }
            return .number(value)
        }
    }
}

extension QueryResult {
    /// The JSON body of `GET /api/v1/query` (documented in docs/http-api.md and openapi.yaml).
    public func json() -> [UInt8] {
        var json = JSONLineBuilder(capacity: 4096)
        json.openObject()
        json.key("from")
        json.timestamp(millis: request.fromMillis)
        json.key("to")
        json.timestamp(millis: request.toMillis)
        json.key("step")
        json.string(request.step.description)
        json.key("tier")
        json.string(QueryStep.fixed(millis: tierMillis).description)
        json.key("tz")
        json.string(request.timeZoneName)
        json.key("group_by")
        json.string(request.groupBy.rawValue)
        json.key("series")
        json.openArray()
        for series in self.series {
            json.openObject()
            json.key("group")
            json.openObject()
            for field in series.group.fields {
                json.key(field.name)
                json.string(String(decoding: field.bytes, as: UTF8.self))
            }
            json.closeObject()
            json.key("kind")
            json.string(series.kind)
            json.key("unit")
            json.string(series.unit)
            json.key("points")
            json.openArray()
            for point in series.points { write(point, to: &json) }
            json.closeArray()
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return json.bytes
    }

    private func write(_ point: Point, to json: inout JSONLineBuilder) {
        json.openObject()
        json.key("start")
        json.timestamp(millis: point.start)
        json.key("end")
        json.timestamp(millis: point.end)
        json.key("count")
        json.integer(point.merge.count)
        for aggregate in request.aggregates where aggregate != .count {
            json.key(aggregate.name)
            switch point.value(of: aggregate) {
            case .absent: json.null()
            case .integer(let value): json.integer(value)
            case .number(let value): json.number(value)
            case .timed(let timed):
                json.openObject()
                json.key("ts")
                json.timestamp(millis: timed.millis)
                json.key("v")
                switch timed.value {
                case .number(let number): json.number(number)
                case .state(let name): json.string(String(decoding: name, as: UTF8.self))
                }
                json.closeObject()
            case .perState(let entries):
                json.openObject()
                for entry in entries {
                    json.key(String(decoding: entry.name, as: UTF8.self))
                    if aggregate == .stateMs { json.integer(Int64(entry.value)) } else { json.number(entry.value) }
                }
                json.closeObject()
            }
        }
        json.key("complete")
        json.bool(point.merge.complete)
        json.closeObject()
    }

    /// The CSV body (`format=csv` or `Accept: text/csv`): one row per point, RFC 4180 quoting,
    /// the group's names, then kind, unit, count, the aggregates asked and `complete`. Per-state
    /// aggregates are `state=value` pairs joined by `;`; `first`/`last` give the value only.
    public func csv() -> String {
        let groupFields = series.first?.group.fields.map(\.name) ?? QueryGroup.fieldNames(request.groupBy)
        let aggregates = request.aggregates.filter { $0 != .count }
        var lines = [(["start", "end"] + groupFields + ["kind", "unit", "count"] + aggregates.map(\.name) + ["complete"])]
        for series in self.series {
            let names = series.group.fields.map { String(decoding: $0.bytes, as: UTF8.self) }
            for point in series.points {
                var row = [UTCTimestamp.string(millis: point.start), UTCTimestamp.string(millis: point.end)] + names
                row += [series.kind, series.unit, String(point.merge.count)]
                row += aggregates.map { Self.csvCell(point.value(of: $0), aggregate: $0) }
                row.append(point.merge.complete ? "true" : "false")
                lines.append(row)
            }
        }
        return lines.map { $0.map(Self.csvQuoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private static func csvCell(_ value: Point.Value, aggregate: QueryAggregate) -> String {
        switch value {
        case .absent: return ""
        case .integer(let value): return String(value)
        case .number(let value): return value.isFinite ? value.description : ""
        case .timed(let timed):
            switch timed.value {
            case .number(let number): return number.description
            case .state(let name): return String(decoding: name, as: UTF8.self)
            }
        case .perState(let entries):
            return entries.map {
                let value = aggregate == .stateMs ? String(Int64($0.value)) : $0.value.description
                return String(decoding: $0.name, as: UTF8.self) + "=" + value
            }.joined(separator: ";")
        }
    }

    private static func csvQuoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
