import Foundation
import Logging
import TelemetryIndex

extension APIServer {
    /// The API of `gateway run` (nil when `http.enabled` is false): queries read the index
    /// through a read-only connection of their own; health, metrics and the devices' counts read
    /// the engine's snapshots. Throws when the token cannot be read or the address bound.
    static func startForGateway(
        config: GatewayConfig, board: SnapshotBoard, index: QueryIndexService?, logger: Logger
    ) throws -> APIServer? {
        guard config.http.enabled else { return nil }
        let dataDirectory = config.storage.dataDirectory
        let reader = index == nil ? nil : openReader(config: config, dataDirectory: dataDirectory, logger: logger)
        var progress: (@Sendable () -> IndexWriter.Progress?)?
        if let index { progress = { index.progress } }
        let health = GatewayHealth(board: board, indexProgress: progress, statusPath: dataDirectory + "/status.json")
        return try start(config: config, index: reader, health: health, engine: .board(board), logger: logger)
    }

    /// The API of `gateway serve`: read-only, beside a gateway that may or may not run; the
    /// engine's numbers come from the files that gateway keeps in `dataDirectory`
    /// (`EngineSource.dataDirectory`).
    static func startReadOnly(config: GatewayConfig, dataDirectory: String, logger: Logger) throws -> APIServer {
        let reader = openReader(config: config, dataDirectory: dataDirectory, logger: logger)
        let health = GatewayHealth(board: nil, indexProgress: nil, statusPath: dataDirectory + "/status.json")
        return try start(
            config: config, index: reader, health: health, engine: .dataDirectory(dataDirectory), logger: logger)
    }

    private static func openReader(config: GatewayConfig, dataDirectory: String, logger: Logger) -> RollupIndex? {
        let path = config.query.indexPath(dataDirectory: dataDirectory)
        do {
            return try RollupIndex.openForReading(path: path, cacheKiB: Int(config.query.cacheBytes >> 10))
        } catch {
            logger.error("the HTTP API cannot read the query index: \(error); queries get 503 until a restart")
            return nil
        }
    }

    private static func start(
        config: GatewayConfig, index: RollupIndex?, health: GatewayHealth, engine: EngineSource, logger: Logger
    ) throws -> APIServer {
        let token = try config.http.resolveToken(environment: ProcessInfo.processInfo.environment)
        let routes = APIRoutes(
            index: index,
            limits: QueryLimits(maxPoints: config.query.maxPoints, timeout: .milliseconds(config.query.timeoutMillis)),
            gate: QueryGate(limit: config.http.maxConcurrentQueries), silenceMillis: config.http.silenceMillis,
            health: health, metrics: MetricsExporter(), engine: engine)
        let server = APIServer(settings: config.http, token: token, routes: routes, logger: logger)
        try server.start()
        return server
    }
}
