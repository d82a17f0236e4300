import Foundation
import GRDB
import Telemetry

/// Writes log lines into the index, each batch in one transaction together with the position
/// it reaches, so that after a crash the index holds exactly the lines before its position.
/// Keeps the series ids in memory (one entry per series). Used by one thread.
public struct IndexAppender {
    /// What one `append` did.
    public struct Outcome: Equatable, Sendable {
        public var records = 0
        /// Lines that are not rollup records (torn or foreign), skipped.
        public var unreadable = 0
        /// Records whose `sketch` did not decode, indexed without it (their quantiles are null).
        public var unreadableSketches = 0
    }

    public let index: RollupIndex
    private var seriesIDs: [SeriesName: Int64] = [:]
    private var tiers: Set<Int64> = []

    public init(index: RollupIndex) throws(IndexError) {
        self.index = index
        (seriesIDs, tiers) = try index.attempt("read the series") { db in
            var ids: [SeriesName: Int64] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, park, site, device, metric FROM series")
            while let row = try rows.next() { ids[SeriesCatalogue.name(row, from: 1)] = row[0] }
            return (ids, Set(try Int64.fetchAll(db, sql: "SELECT ms FROM tier")))
        }
    }

    /// Indexes `lines` and records `end` as the position reached, in one transaction.
    mutating func append(_ lines: [LogReader.Line], end: LogCursor) throws(IndexError) -> Outcome {
        var outcome = Outcome()
        var records: [(origin: LogCursor, record: RollupRecord)] = []
        records.reserveCapacity(lines.count)
        for line in lines {
            if let record = RollupRecord(line: line.bytes) {
                if record.sketchError != nil { outcome.unreadableSketches += 1 }
                records.append((line.start, record))
            } else {
                outcome.unreadable += 1
            }
        }
        outcome.records = records.count
        try append(records, end: end, lastLine: lines.last)
        return outcome
    }

    /// Indexes records already parsed, each with where its line starts in the log, and records
    /// `end` as the position reached, in one transaction. `lastLine` is the batch's last line,
    /// whose checksum lets a restart see whether the log still holds it (nil: keep the last
    /// line of an earlier batch). Also the way benchmarks fill an index without a log.
    public mutating func append(
        _ records: [(origin: LogCursor, record: RollupRecord)], end: LogCursor, lastLine: LogReader.Line?
    ) throws(IndexError) {
        var ids = seriesIDs
        var knownTiers = tiers
        try index.attempt("index \(records.count) rollup records") { db in
            var newest: [Int64: TimedValue] = [:]
            var readings: [SeriesTier: Int64] = [:]
            for (origin, record) in records {
                let id = try Self.seriesID(for: record, in: db, ids: &ids)
                if knownTiers.insert(record.tierMillis).inserted {
                    try db.execute(sql: "INSERT OR IGNORE INTO tier (ms) VALUES (?)", arguments: [record.tierMillis])
                }
                try Self.insert(record, series: id, origin: IndexOrigin.value(of: origin), in: db)
                let key = SeriesTier(series: id, tier: record.tierMillis)
                readings[key] = readings[key, default: 0].addingSaturated(record.count)
                if let last = record.last, last.millis > newest[id]?.millis ?? .min { newest[id] = last }
            }
            for (key, count) in readings { try Self.addReadings(count, series: key.series, tier: key.tier, in: db) }
            let update = try db.cachedStatement(
                sql: "UPDATE series SET last_ts = ?, last_value = ? WHERE id = ? AND (last_ts IS NULL OR last_ts <= ?)")
            for (id, value) in newest {
                try update.execute(arguments: [value.millis, Self.databaseValue(value.value), id, value.millis])
            }
            try Self.store(end: end, lastLine: lastLine, in: db)
        }
        seriesIDs = ids
        tiers = knownTiers
    }

    /// A key of `series_readings`, for summing a batch's readings before one update each.
    private struct SeriesTier: Hashable {
        var series: Int64
        var tier: Int64
    }

    /// Deletes the rows of lines at or after `cursor` (the log was cut back there) and sets the
    /// position to it.
    mutating func removeRows(from cursor: LogCursor) throws(IndexError) -> Int {
        try index.attempt("remove the rows after \(cursor)") { db in
            let origin = IndexOrigin.value(of: cursor)
            let sums = try Row.fetchAll(
                db, sql: "SELECT series_id, tier_ms, SUM(count) FROM partial WHERE origin >= ? GROUP BY series_id, tier_ms",
                arguments: [origin])
            for row in sums { try Self.addReadings(-(row[2] as Int64), series: row[0], tier: row[1], in: db) }
            try db.execute(sql: "DELETE FROM partial WHERE origin >= ?", arguments: [origin])
            let removed = db.changesCount
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO log_position
                        (id, segment, offset, last_line_segment, last_line_offset, last_line_length, last_line_checksum)
                    VALUES (1, ?, ?, 0, 0, 0, 0)
                    """,
                arguments: [cursor.segment, cursor.offset])
            return removed
        }
    }

    /// Deletes the windows each tier keeps no longer: `keep` maps a tier's length to how long
    /// (ms) its windows stay, counted from their start. One range delete per series and tier,
    /// along the table's clustering. Returns the rows deleted.
    mutating func applyRetention(_ keep: [Int64: Int64], nowMillis: Int64) throws(IndexError) -> Int {
        let ids = Array(seriesIDs.values)
        let rules = keep.filter { tiers.contains($0.key) }
        guard !rules.isEmpty, !ids.isEmpty else { return 0 }
        return try index.attempt("apply retention") { db in
            let statement = try db.cachedStatement(
                sql: "DELETE FROM partial WHERE series_id = ? AND tier_ms = ? AND start_ms < ?")
            let sum = try db.cachedStatement(
                sql: "SELECT SUM(count) FROM partial WHERE series_id = ? AND tier_ms = ? AND start_ms < ?")
            var removed = 0
            for (tier, millis) in rules {
                let (cutoff, overflow) = nowMillis.subtractingReportingOverflow(millis)
                guard !overflow else { continue }
                for id in ids {
                    let readings = try Int64.fetchOne(sum, arguments: [id, tier, cutoff]) ?? 0
                    try statement.execute(arguments: [id, tier, cutoff])
                    removed += db.changesCount
                    try Self.addReadings(-readings, series: id, tier: tier, in: db)
                }
            }
            return removed
        }
    }

    private static func addReadings(_ readings: Int64, series id: Int64, tier: Int64, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO series_readings (series_id, tier_ms, readings) VALUES (?, ?, ?)
                ON CONFLICT (series_id, tier_ms) DO UPDATE SET readings = readings + excluded.readings
                """
        ).execute(arguments: [id, tier, readings])
    }

    private static func seriesID(for record: RollupRecord, in db: Database, ids: inout [SeriesName: Int64]) throws -> Int64 {
        if let id = ids[record.series] { return id }
        let name = record.series
        try db.execute(
            sql: "INSERT INTO series (park, site, device, metric, kind, unit) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [Data(name.park), Data(name.site), Data(name.device), Data(name.metric), record.kind, record.unit])
        let id = db.lastInsertedRowID
        ids[name] = id
        return id
    }

    private static func insert(_ record: RollupRecord, series id: Int64, origin: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO partial (series_id, tier_ms, start_ms, origin, count, sum, min, max, m2,
                    first_ts, first_value, last_ts, last_value, increase, resets, states, complete, sketch,
                    transitions, up_ms, planned_ms, longest_fault_ms, leading_fault_ms, trailing_fault_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let values: [(any DatabaseValueConvertible)?] = [
            id, record.tierMillis, record.startMillis, origin, record.count, record.sum, record.min, record.max, record.m2,
            record.first?.millis, record.first.map { databaseValue($0.value) }, record.last?.millis,
            record.last.map { databaseValue($0.value) }, record.increase, record.resets, StateTime.encode(record.states),
            record.complete, record.sketch.map { Data($0.encoded()) }, record.transitions, record.upMillis,
            record.plannedMillis, record.longestFaultMillis, record.leadingFaultMillis, record.trailingFaultMillis,
        ]
        try statement.execute(arguments: StatementArguments(values))
    }

    static func databaseValue(_ value: RecordedValue) -> DatabaseValue {
        switch value {
        case .number(let number): number.databaseValue
        case .state(let name): Data(name).databaseValue
        }
    }

    private static func store(end: LogCursor, lastLine: LogReader.Line?, in db: Database) throws {
        if let lastLine {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO log_position
                        (id, segment, offset, last_line_segment, last_line_offset, last_line_length, last_line_checksum)
                    VALUES (1, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    end.segment, end.offset, lastLine.start.segment, lastLine.start.offset, lastLine.bytes.count,
                    Int64(CRC32C.checksum(lastLine.bytes)),
                ])
        } else {
            // Keep the last line of an earlier batch when this one read none.
            try db.execute(
                sql: """
                    INSERT INTO log_position
                        (id, segment, offset, last_line_segment, last_line_offset, last_line_length, last_line_checksum)
                    VALUES (1, ?, ?, 0, 0, 0, 0)
                    ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, offset = excluded.offset
                    """,
                arguments: [end.segment, end.offset])
        }
    }
}
