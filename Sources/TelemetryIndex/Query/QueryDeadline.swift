import GRDB
import GRDBSQLite

/// Ends a query at its deadline from inside SQLite: a progress handler, called every few
/// thousand virtual-machine steps, interrupts the statement once the deadline has passed, so
/// a query that spends its time in one long scan is stopped as surely as one that spends it
/// between series.
final class QueryDeadline: Sendable {
    let deadline: ContinuousClock.Instant

    init(_ deadline: ContinuousClock.Instant) {
        self.deadline = deadline
    }

    var hasPassed: Bool { ContinuousClock.now >= deadline }

    /// Thrown by a query's own checks between statements once the deadline has passed.
    struct Passed: Error {}

    /// Runs `body` with the handler installed on `db`'s connection, and removes it after:
    /// connections are pooled and the next reader must not inherit it.
    func enforce<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(
            db.sqliteConnection, 4_096,
            { context in
                guard let context else { return 0 }
                return Unmanaged<QueryDeadline>.fromOpaque(context).takeUnretainedValue().hasPassed ? 1 : 0
            }, context)
        defer { sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) }
        return try withExtendedLifetime(self) { try body() }
    }

    /// Whether `error` is SQLite's answer to the handler's interruption.
    static func interrupted(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_INTERRUPT
    }
}
