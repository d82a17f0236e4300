import Logging
import Telemetry
import TelemetryIndex

/// The query index beside a running engine: opened after crash recovery (so it sees the log
/// as recovery left it), followed by its own thread, and stopped after the engine wrote its
/// last lines. A failure to open it is logged and ingestion goes on without it: the log
/// remains, and the index catches up from it at the next start.
final class QueryIndexService: Sendable {
    private let index: RollupIndex
    private let writer: IndexWriter

    private init(index: RollupIndex, writer: IndexWriter) {
        self.index = index
        self.writer = writer
    }

    /// Opens the index of `config` and starts following the rollup log; nil (logged) when the
    /// index is off or cannot be opened.
    static func start(config: GatewayConfig, logger: Logger) -> QueryIndexService? {
        guard config.query.index else { return nil }
        let dataDirectory = config.storage.dataDirectory
        let path = config.query.indexPath(dataDirectory: dataDirectory)
        do {
            let index = try RollupIndex.openForWriting(path: path, cacheKiB: Int(config.query.cacheBytes >> 10))
            let segments = try LogSegments(directory: dataDirectory + "/rollups", baseName: "rollups")
            let writer = IndexWriter(
                index: index, segments: segments, retention: IndexWriter.Retention(keepMillis: config.rollup.retentionMillis)
            ) { event in
                EngineLog.log(event, to: logger)
            }
            writer.start()
            logger.info("query index at \(path): catching up with the rollup log, then following it")
            return QueryIndexService(index: index, writer: writer)
        } catch {
            logger.error(
                """
                the query index cannot be opened: \(error); ingesting without it (the rollup log is \
                complete, and `gateway reindex` rebuilds the index from it)
                """)
            return nil
        }
    }

    /// The writer's counts (for status and metrics).
    var progress: IndexWriter.Progress { writer.progress }

    /// Indexes the last lines, stops the thread and closes the index.
    func stop(logger: Logger) {
        writer.stop()
        do { try index.close() } catch { logger.warning("\(error)") }
    }
}
