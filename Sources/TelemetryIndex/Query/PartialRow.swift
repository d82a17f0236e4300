import Foundation
import GRDBSQLite
import Telemetry

/// A `partial` row as queries read it: the columns of ``select(_:)``, taken from
/// SQLite's statement directly. A query of a site over a week reads a hundred thousand rows,
/// and going through GRDB's `Row` (a type check and a conversion per column) cost more than
/// SQLite's own work.
enum PartialRow {
    /// The columns a query selects: start, count and completeness always, then only those its
    /// aggregates need, each at a position of its own (nil when not selected). Every column
    /// left out is work SQLite does not do for each of the rows.
    struct Columns: Equatable, Sendable {
        private(set) var sum: Int32?
        private(set) var m2: Int32?
        private(set) var min: Int32?
        private(set) var max: Int32?
        /// `first_ts`, then `first_value`.
        private(set) var first: Int32?
        /// `last_ts`, then `last_value`.
        private(set) var last: Int32?
        /// `increase`, then `resets`.
        private(set) var increase: Int32?
        private(set) var states: Int32?
        /// The quantile sketch's encoding.
        private(set) var sketch: Int32?
        private(set) var transitions: Int32?
        /// `up_ms`, then `planned_ms`.
        private(set) var upTime: Int32?
        /// `tier_ms` (the window's end is its start plus the tier), then `longest_fault_ms`,
        /// `leading_fault_ms` and `trailing_fault_ms`.
        private(set) var faults: Int32?
        /// The select list, in position order.
        private(set) var names = ["start_ms", "count", "complete"]

        /// The columns `aggregates` need.
        init(_ aggregates: [QueryAggregate]) {
            var wanted = Set<String>()
            for aggregate in aggregates {
                switch aggregate {
                case .count: break
                case .sum, .mean: wanted.insert("sum")
                case .stddev: wanted.formUnion(["sum", "m2"])
                case .min: wanted.insert("min")
                case .max: wanted.insert("max")
                case .first: wanted.insert("first")
                case .last: wanted.insert("last")
                case .increase, .rate: wanted.insert("increase")
                case .stateMs, .stateShare: wanted.insert("states")
                case .quantile: wanted.insert("sketch")
                case .transitions: wanted.insert("transitions")
                case .availability: wanted.insert("upTime")
                case .longestFaultMs: wanted.insert("faults")
                }
            }
            func take(_ key: String, _ columns: [String]) -> Int32? {
                guard wanted.contains(key) else { return nil }
                defer { names += columns }
                return Int32(names.count)
            }
            sum = take("sum", ["sum"])
            m2 = take("m2", ["m2"])
            min = take("min", ["min"])
            max = take("max", ["max"])
            first = take("first", ["first_ts", "first_value"])
            last = take("last", ["last_ts", "last_value"])
            increase = take("increase", ["increase", "resets"])
            states = take("states", ["states"])
            sketch = take("sketch", ["sketch"])
            transitions = take("transitions", ["transitions"])
            upTime = take("upTime", ["up_ms", "planned_ms"])
            faults = take("faults", ["tier_ms", "longest_fault_ms", "leading_fault_ms", "trailing_fault_ms"])
        }

        /// Whether the query reads figures that carry names (first, last, state time) or a
        /// sketch, which only a `PartialMerge` holds.
        var includeNamed: Bool { first != nil || last != nil || states != nil || sketch != nil }
    }

    /// One series' rows of one tier in a range of window starts; the two records of a window
    /// written twice come together, the earlier first.
    static func select(_ columns: Columns) -> String {
        """
        SELECT \(columns.names.joined(separator: ", "))
        FROM partial WHERE series_id = ? AND tier_ms = ? AND start_ms >= ? AND start_ms < ?
        ORDER BY start_ms, origin
        """
    }

    /// The start of the window of the row `statement` is on.
    static func start(_ statement: OpaquePointer) -> Int64 { sqlite3_column_int64(statement, 0) }

    /// The plain numbers of the row `statement` is on (`complete` as the row says).
    static func numbers(_ statement: OpaquePointer, columns: Columns) -> PartialNumbers {
        PartialNumbers(
            count: sqlite3_column_int64(statement, 1), sum: columns.sum.flatMap { double(statement, $0) },
            m2: columns.m2.flatMap { double(statement, $0) }, min: columns.min.flatMap { double(statement, $0) },
            max: columns.max.flatMap { double(statement, $0) },
            increase: columns.increase.flatMap { double(statement, $0) },
            resets: columns.increase.flatMap { integer(statement, $0 + 1) },
            complete: sqlite3_column_int64(statement, 2) != 0, stateMeasures: stateMeasures(statement, columns: columns))
    }

    /// The state measures of the row `statement` is on; those not selected are as a record
    /// without them has them (unknown), which no aggregate asked reads.
    private static func stateMeasures(_ statement: OpaquePointer, columns: Columns) -> StateMeasures {
        let windowStart = start(statement)
        let faults = columns.faults
        return StateMeasures(
            window: windowStart..<windowStart.addingSaturated(faults.flatMap { integer(statement, $0) } ?? 0),
            transitions: columns.transitions.flatMap { integer(statement, $0) },
            upMillis: columns.upTime.flatMap { integer(statement, $0) },
            plannedMillis: columns.upTime.flatMap { integer(statement, $0 + 1) },
            longestFault: faults.flatMap { integer(statement, $0 + 1) },
            leadingFault: faults.flatMap { integer(statement, $0 + 2) },
            trailingFault: faults.flatMap { integer(statement, $0 + 3) })
    }

    /// The whole merge of the row `statement` is on: its numbers, the named figures and the
    /// sketch (when not selected, none: a merge of no sketch, whose quantiles are null).
    static func merge(_ statement: OpaquePointer, columns: Columns) -> PartialMerge {
        PartialMerge(
            numbers: numbers(statement, columns: columns), first: columns.first.flatMap { timedValue(statement, $0) },
            last: columns.last.flatMap { timedValue(statement, $0) },
            states: columns.states.flatMap { blob(statement, $0).flatMap(StateTime.decode) } ?? [],
            sketches: columns.sketch.map { SketchMerge(window: sketch(statement, $0)) } ?? SketchMerge())
    }

    /// The sketch in `column`; nil for NULL (a record without one) and bytes that do not decode.
    private static func sketch(_ statement: OpaquePointer, _ column: Int32) -> QuantileSketch? {
        guard sqlite3_column_type(statement, column) == SQLITE_BLOB, let bytes = sqlite3_column_blob(statement, column)
        else { return nil }
        let encoded = [UInt8](UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))))
        return try? QuantileSketch(encoded: encoded)
    }

    private static func double(_ statement: OpaquePointer, _ column: Int32) -> Double? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
    }

    private static func integer(_ statement: OpaquePointer, _ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    private static func blob(_ statement: OpaquePointer, _ column: Int32) -> Data? {
        guard sqlite3_column_type(statement, column) == SQLITE_BLOB, let bytes = sqlite3_column_blob(statement, column)
        else { return nil }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// A time in `column` and its value in the next: a number, or a state name's bytes.
    private static func timedValue(_ statement: OpaquePointer, _ column: Int32) -> TimedValue? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        let millis = sqlite3_column_int64(statement, column)
        switch sqlite3_column_type(statement, column + 1) {
        case SQLITE_INTEGER, SQLITE_FLOAT:
            return TimedValue(millis: millis, value: .number(sqlite3_column_double(statement, column + 1)))
        case SQLITE_BLOB, SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column + 1))
            guard let bytes = sqlite3_column_blob(statement, column + 1) else {
                return TimedValue(millis: millis, value: .state([]))
            }
            return TimedValue(millis: millis, value: .state(Array(UnsafeRawBufferPointer(start: bytes, count: count))))
        default:
            return nil
        }
    }
}
