import ArgumentParser
import Foundation
import Logging

/// `gateway serve`: the HTTP API over a data directory, read-only and without ingesting, beside
/// a running gateway (or over the data of a stopped one).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API read-only over a data directory, without ingesting.",
        discussion: """
            Queries read the data directory's query index; /healthz and /metrics read the status.json that a \
            running gateway rewrites there four times a second; /api/v1/devices takes each device's quarantined \
            and seq_missing counts from its last checkpoint (at most storage.checkpoint_interval old). Once that \
            gateway stopped, they are its last numbers. Stops on SIGINT or SIGTERM.
            """
    )

    @OptionGroup var options: DataDirectoryOptions
    @Option(help: "host:port to listen on (overrides http.listen).") var listen: String?

    func run() throws {
        var config = try options.load() ?? GatewayConfig.defaults(catalogue: .init([]))
        let dataDirectory = options.dataDir ?? config.storage.dataDirectory
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                (1...65_535).contains(port), colon != listen.startIndex
            else { throw ValidationError("--listen: expected host:port like 127.0.0.1:8080, got \"\(listen)\"") }
            config.http.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.http.port = port
        }
        if !HTTPSettings.isLoopback(config.http.host), config.http.tokenEnv == nil, config.http.tokenFile == nil {
            throw ValidationError(
                "listening on \(config.http.host) (not loopback) needs a bearer token: set http.token_env or http.token_file")
        }
        let logger = GatewayLogging.bootstrap(level: config.logging.level)
        SignalWaiter.blockTerminationSignals()
        let server: APIServer
        do {
            server = try APIServer.startReadOnly(config: config, dataDirectory: dataDirectory, logger: logger)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        let signal = SignalWaiter.wait()
        logger.info("received \(signal): stopping the HTTP API")
        server.stop()
    }
}
