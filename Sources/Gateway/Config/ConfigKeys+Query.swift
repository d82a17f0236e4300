import Yams

/// `query:`, the query index and the limits on queries; `query.retention` is a mapping from a
/// tier to how long the index keeps it.
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
                meaning: "SQLite page cache per connection: the index's memory, whatever its size on disk.",
                read: .byteSize(\.cacheBytes, range: 256 << 10...1 << 30)),
            ConfigKey(
                "query.retention", type: "mapping tier → duration or `forever`",
                default: "`{10s: 2d, 1m: 30d}`",
                meaning: "How long the index keeps the windows of each tier (by window start); a tier not listed "
                    + "is kept forever. Applies to "
                    + "the index only: the rollup log's segments follow `storage.rollup_log`.",
                read: .custom(readRetention)),
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

    /// `query.retention`: each key a window length of `rollup.tiers`, each value a duration or
    /// `forever`. Listing a tier replaces its default; the others keep theirs.
    static func readRetention(
        reader: inout ConfigNodeReader, section: ConfigNodeReader.Section, name: String, settings: inout QuerySettings
    ) {
        guard let node = section.node(name), !ConfigNodeReader.isNull(node) else { return }
        let key = section.path(name)
        guard let mapping = node.mapping else {
            reader.report(
                "expected a mapping of tiers to durations like {10s: 2d, 1m: 30d, 1h: forever}, got "
                    + ConfigNodeReader.describe(node), key: key, at: node)
            return
        }
        for (tierNode, valueNode) in mapping {
            let tierKey = "\(key).\(tierNode.scalar?.string ?? "?")"
            guard let tier = reader.duration(tierNode, key: tierKey, range: second...7 * day) else { continue }
            if valueNode.scalar?.string == "forever" {
                settings.retentionMillis[tier] = nil
            } else if let millis = reader.duration(valueNode, key: tierKey, range: minute...36_500 * day) {
                settings.retentionMillis[tier] = millis
            }
        }
    }
}
