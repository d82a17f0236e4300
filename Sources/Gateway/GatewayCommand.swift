import ArgumentParser

/// The `gateway` executable: ingest MQTT telemetry into rollup logs, and the operator tools
/// that read them.
@main
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "IoT telemetry ingestion gateway: MQTT in, validated rollups on disk.",
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, TailCommand.self, QueryCommand.self, ServeCommand.self,
            ReindexCommand.self,
            ConfigReferenceCommand.self,
        ]
    )
}
