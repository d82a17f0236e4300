/// `query:`, the query index and the limits on queries. How long the index keeps each tier is
/// `rollup.retention`, which the rollup log follows too.
extension ConfigKeys {
    static let query = ConfigSection<QuerySettings>(
        "query",
        keys: [
            ConfigKey(
                "query.index", type: "boolean", default: "`true`",
                meaning: "Keep the query index of closed rollups that `gateway query` and the HTTP API read. "
                    + "It is derived from the rollup log by its own thread, never on the ingest path.",
                read: .bool(\.index)),
            ConfigKey(
                "query.index_path", type: "path", default: "unset: `<data_directory>/index.sqlite`",
                meaning: "The index file (SQLite, WAL mode). `gateway reindex` rebuilds it from the log.",
                read: .string(\.indexPath, describing: "a file path")),
            ConfigKey(
                "query.cache_size", type: "size 256KiB…1GiB", default: "`16MiB`",
                meaning: "SQLite page cache per connection (the writer, and up to 6 readers: 4 API query threads and 2 "
                    + "scan helpers): the index's memory, whatever its size on disk.",
                read: .byteSize(\.cacheBytes, range: 256 << 10...1 << 30)),
            ConfigKey(
                "query.max_points", type: "integer 1…10000000", default: "`100000`",
                meaning: "Points (buckets × series) one query may return; a larger query gets a 400 "
                    + "naming both figures.",
                read: .integer(\.maxPoints, range: 1...10_000_000)),
            ConfigKey(
                "query.timeout", type: "duration 100ms…10m", default: "`10s`",
                meaning: "A query running longer is abandoned (HTTP 503).",
                read: .duration(\.timeoutMillis, range: 100...10 * minute)),
        ])
}
