/// The query index and the limits on queries (`query:` in `gateway.yaml`).
struct QuerySettings: Sendable, Equatable {
    /// Whether `gateway run` keeps the query index.
    var index = true
    /// The index file; empty means `<data_directory>/index.sqlite`.
    var indexPath = ""
    /// SQLite's page cache per connection, bytes: what bounds the index's memory.
    var cacheBytes: Int64 = 16 << 20
    /// Points (buckets × series) one query may return.
    var maxPoints = 100_000
    /// Wall time one query may run.
    var timeoutMillis: Int64 = 10_000

    /// All defaults.
    init() {}

    /// The index file for a data directory.
    func indexPath(dataDirectory: String) -> String {
        indexPath.isEmpty ? dataDirectory + "/index.sqlite" : indexPath
    }
}
