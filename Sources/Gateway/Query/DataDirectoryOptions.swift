import ArgumentParser
import Foundation

/// `--config` and `--data-dir`, shared by the commands that read a data directory.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file naming the data directory.")
    var config = "config/gateway.yaml"
    @Option(help: "Data directory (overrides the configuration's storage.data_directory).")
    var dataDir: String?

    /// The configuration file's settings, or the defaults when there is none.
    func load() throws -> GatewayConfig? {
        guard FileManager.default.fileExists(atPath: config) else { return nil }
        do {
            return try ConfigLoader.load(path: config)
        } catch {
            throw ValidationError("cannot read \(config) (use --data-dir to name the data directory):\n\(error)")
        }
    }

    /// The data directory and the query and rollup settings (tiers and their retention) that
    /// apply to it.
    func resolve() throws -> (dataDirectory: String, query: QuerySettings, rollup: RollupSettings) {
        let loaded = try load()
        return (
            dataDir ?? loaded?.storage.dataDirectory ?? "data", loaded?.query ?? QuerySettings(),
            loaded?.rollup ?? RollupSettings()
        )
    }
}
