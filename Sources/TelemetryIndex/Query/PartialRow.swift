import Foundation
import GRDBSQLite

/// A `partial` row as queries read it: the columns of ``select(_:)``, taken from
/// SQLite's statement directly. A query of a site over a week reads a hundred thousand rows,
/// and going through GRDB's `Row` (a type check and a conversion per column) cost more than
/// SQLite's own work.
enum PartialRow {
    /// The optional columns a query reads; the others it selects as NULL and never looks at.
    struct Needed: Equatable {
        var sum = false
        var m2 = false
        var min = false
        var max = false
        var first = false
        var last = false
        var increase = false
        var states = false

        /// The columns `aggregates` need (count, start and completeness are always read).
        init(_ aggregates: [QueryAggregate]) {
            for aggregate in aggregates {
                switch aggregate {
                case .count: break
                case .sum, .mean: sum = true
                case .stddev: (sum, m2) = (true, true)
                case .min: min = true
                case .max: max = true
                case .first: first = true
                case .last: last = true
                case .increase, .rate: increase = true
                case .stateMs, .stateShare: states = true
                }
            }
        }

        /// The select list, in the order ``merge(_:needed:)`` reads it.
        var columns: String {
            [
                "start_ms", "count", sum ? "sum" : "NULL", min ? "min" : "NULL", max ? "max" : "NULL",
                m2 ? "m2" : "NULL", first ? "first_ts, first_value" : "NULL, NULL",
                last ? "last_ts, last_value" : "NULL, NULL", increase ? "increase, resets" : "NULL, NULL",
                states ? "states" : "NULL", "complete",
            ].joined(separator: ", ")
        }
    }

    /// One series' rows of one tier in a range of window starts; the two records of a window
    /// written twice come together, the earlier first. Columns the query does not need are
    /// selected as NULL: SQLite then skips extracting them.
    static func select(_ needed: Needed) -> String {
        """
        SELECT \(needed.columns)
        FROM partial WHERE series_id = ? AND tier_ms = ? AND start_ms >= ? AND start_ms < ?
        ORDER BY start_ms, origin
        """
    }

    /// The start of the window of the row `statement` is on.
    static func start(_ statement: OpaquePointer) -> Int64 { sqlite3_column_int64(statement, 0) }

    /// The merge of the figures of the row `statement` is on (`complete` as the row says),
    /// reading only the `needed` columns.
    static func merge(_ statement: OpaquePointer, needed: Needed) -> PartialMerge {
        PartialMerge(
            count: sqlite3_column_int64(statement, 1), sum: needed.sum ? double(statement, 2) : nil,
            m2: needed.m2 ? double(statement, 5) : nil, min: needed.min ? double(statement, 3) : nil,
            max: needed.max ? double(statement, 4) : nil, first: needed.first ? timedValue(statement, 6) : nil,
            last: needed.last ? timedValue(statement, 8) : nil, increase: needed.increase ? double(statement, 10) : nil,
            resets: needed.increase && sqlite3_column_type(statement, 11) != SQLITE_NULL
                ? sqlite3_column_int64(statement, 11) : nil,
            states: needed.states ? blob(statement, 12).flatMap(StateTime.decode) ?? [] : [],
            complete: sqlite3_column_int64(statement, 13) != 0)
    }

    private static func double(_ statement: OpaquePointer, _ column: Int32) -> Double? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
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
