import GRDB

/// The query index's tables. The index is derived data: an index written by another schema
/// version is deleted and rebuilt from the rollup log rather than migrated.
///
/// * `series`: one row per series, names as the bytes devices sent (BLOB), as in ingest. It
///   also keeps the newest reading seen in any indexed window (`last_ts`, `last_value`).
/// * `partial`: one row per rollup record, clustered by (series, tier, window start) so that a
///   query reads one contiguous range per series. `origin` is where the record's line starts in
///   the log (`IndexOrigin`): a window written twice (cut short at a shutdown, finished after
///   the restart) is two rows that queries merge, and rows of a log cut back by crash recovery
///   can be found and removed. `sketch` is a gauge record's quantile sketch in its binary
///   encoding (`QuantileSketch.encoded()`), NULL when the record carries none or one that
///   does not decode. `transitions` … `trailing_fault_ms` are a state record's transitions,
///   up and planned time and fault runs, NULL for other kinds and records written before them.
///   `partial_by_origin` finds the rows of a log cut back by crash recovery.
/// * `tier`: the window lengths seen, for queries to choose from.
/// * `series_readings`: readings per series in the windows each tier holds, kept with every
///   insert and delete, so a fleet overview needs no scan of `partial`.
/// * `log_position`: the one row saying how far into the log the index reaches, and which
///   line it read last (its checksum shows whether the log still holds it).
enum IndexSchema {
    /// Stored in SQLite's `user_version`; bumped whenever the tables change.
    static let version = 3

    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE series (
                    id INTEGER PRIMARY KEY,
                    park BLOB NOT NULL, site BLOB NOT NULL, device BLOB NOT NULL, metric BLOB NOT NULL,
                    kind TEXT NOT NULL, unit TEXT NOT NULL,
                    last_ts INTEGER, last_value,
                    UNIQUE (park, site, device, metric)
                );
                CREATE TABLE partial (
                    series_id INTEGER NOT NULL,
                    tier_ms INTEGER NOT NULL,
                    start_ms INTEGER NOT NULL,
                    origin INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    sum REAL, min REAL, max REAL, m2 REAL,
                    first_ts INTEGER, first_value, last_ts INTEGER, last_value,
                    increase REAL, resets INTEGER,
                    states BLOB,
                    complete INTEGER NOT NULL,
                    sketch BLOB,
                    transitions INTEGER, up_ms INTEGER, planned_ms INTEGER,
                    longest_fault_ms INTEGER, leading_fault_ms INTEGER, trailing_fault_ms INTEGER,
                    PRIMARY KEY (series_id, tier_ms, start_ms, origin)
                ) WITHOUT ROWID;
                CREATE INDEX partial_by_origin ON partial (origin);
                CREATE TABLE tier (ms INTEGER PRIMARY KEY);
                CREATE TABLE series_readings (
                    series_id INTEGER NOT NULL,
                    tier_ms INTEGER NOT NULL,
                    readings INTEGER NOT NULL,
                    PRIMARY KEY (series_id, tier_ms)
                ) WITHOUT ROWID;
                CREATE TABLE log_position (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    segment INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    last_line_segment INTEGER NOT NULL,
                    last_line_offset INTEGER NOT NULL,
                    last_line_length INTEGER NOT NULL,
                    last_line_checksum INTEGER NOT NULL
                );
                PRAGMA user_version = \(version);
                """)
    }
}
