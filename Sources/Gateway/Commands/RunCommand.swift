import ArgumentParser
import Foundation
import Logging

/// `gateway run`: subscribe, validate, aggregate and write rollups until SIGINT/SIGTERM.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the gateway until SIGINT or SIGTERM.",
        discussion: "Exit status: 0 after a clean shutdown, 1 on a runtime failure, 2 on a configuration error."
    )

    @Option(name: .shortAndLong, help: "Configuration file.")
    var config = "config/gateway.yaml"

    func run() throws {
        let loaded: GatewayConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("gateway: invalid configuration:\n\(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = GatewayLogging.bootstrap(level: loaded.logging.level)
        do {
            try GatewayRuntime(config: loaded, logger: logger).run()
        } catch {
            logger.critical("gateway stopped: \(error)")
            throw ExitCode(1)
        }
    }
}
