import Foundation
import GRDB
import Synchronization

/// The series table held in memory, so that choosing a query's series costs a pass over an
/// array rather than a read of the table. Rows of `series` are only ever added, with growing
/// ids, so the catalogue catches up by reading the rows past the newest id it holds. An index
/// rebuilt from nothing (`gateway reindex`) numbers its series again from 1: the catalogue
/// sees that its newest entry no longer matches the row of that id and reads the table afresh.
final class SeriesCatalogue: Sendable {
    /// One series as queries select it.
    struct Entry: Sendable {
        let id: Int64
        let name: SeriesName
        let kind: String
        let unit: String
    }

    /// Ascending by id.
    private let entries = Mutex<[Entry]>([])

    /// The series in `db`'s snapshot, in id order. Entries newer than the snapshot (added by a
    /// reader with a later one) may be among them; they have no rows in this snapshot.
    func current(in db: Database) throws -> [Entry] {
        let held = entries.withLock { $0.last }
        var after: Int64 = 0
        if let held {
            let row = try Row.fetchOne(
                db, sql: "SELECT park, site, device, metric FROM series WHERE id = ?", arguments: [held.id])
            if let row, Self.name(row, from: 0) == held.name { after = held.id }
        }
        var fresh: [Entry] = []
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, park, site, device, metric, kind, unit FROM series WHERE id > ? ORDER BY id", arguments: [after])
        while let row = try rows.next() {
            fresh.append(Entry(id: row[0], name: Self.name(row, from: 1), kind: row[5], unit: row[6]))
        }
        return entries.withLock { list in
            if after == 0 && held != nil { list = [] }
            let newest = list.last?.id ?? 0
            list.append(contentsOf: fresh.drop { $0.id <= newest })
            return list
        }
    }

    /// The four names in columns `from` … `from + 3`.
    static func name(_ row: Row, from column: Int) -> SeriesName {
        SeriesName(
            park: bytes(row[column]), site: bytes(row[column + 1]), device: bytes(row[column + 2]),
            metric: bytes(row[column + 3]))
    }

    /// A BLOB column's bytes; copied in one move, not byte by byte through `Data`'s iterator.
    static func bytes(_ data: Data?) -> [UInt8] {
        data.map { $0.withUnsafeBytes { Array($0) } } ?? []
    }
}
