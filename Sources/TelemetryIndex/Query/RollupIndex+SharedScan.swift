import GRDB

/// A long scan split between the query's thread and a helper (`ScanHelpers`), each on its own
/// reader connection.
///
/// Both halves must read the same state of the index. SQLite offers no way to open a second
/// connection on another's snapshot here (Debian's library is built without
/// `SQLITE_ENABLE_SNAPSHOT`), so the helper compares the log position that every write of the
/// index writer updates (appends, and the removal of a cut-back log) with the query's: when a
/// write landed between the two reads, the helper's half is dropped and the query scans it
/// itself. Retention's deletes do not move the position; they remove only windows older than
/// their tier keeps, which a query that reaches back that far may find in one half and not in
/// the other, as it would a moment apart.
extension RollupIndex {
    /// Below this many series a query scans alone: a helper costs a wake-up and a reader
    /// connection, which pays only for a long scan.
    static let sharedScanMinimumSeries = 64

    /// The scan's merges, the second half of the members on a helper when there are enough.
    func run<Figures: WindowFigures>(
        _ scan: BucketScan, _: Figures.Type, points: Int, sql: String, in db: Database
    ) throws -> [PartialMerge?] {
        let statement = try db.cachedStatement(sql: sql)
        let count = scan.members.count
        guard count >= Self.sharedScanMinimumSeries else {
            return try scan.scan(Figures.self, 0..<count, statement: statement, points: points).result
        }
        let position = try Self.writePosition(db)
        let split = count / 2
        let share = ScanShare<BucketScan.Part<Figures>?> { [database] in
            try database.read { helper in
                guard try Self.writePosition(helper) == position else { return nil }
                return try scan.deadline.enforce(on: helper) {
                    try scan.scan(
                        Figures.self, split..<count, statement: helper.cachedStatement(sql: sql), points: points)
                }
            }
        }
        ScanHelpers.shared.offer(share)
        var part: BucketScan.Part<Figures>
        do {
            part = try scan.scan(Figures.self, 0..<split, statement: statement, points: points)
        } catch {
            _ = share.takeBack()
            throw error
        }
        let helped = share.takeBack() ? nil : try share.result()
        part.add(try helped ?? scan.scan(Figures.self, split..<count, statement: statement, points: points))
        return part.result
    }

    /// The log position the index writer stores with every write: equal in two transactions
    /// when no write landed between them.
    static func writePosition(_ db: Database) throws -> [Int64] {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT segment, offset, last_line_segment, last_line_offset FROM log_position WHERE id = 1")
        else { return [] }
        return [row[0], row[1], row[2], row[3]]
    }
}
