import ArgumentParser
import Foundation
import Telemetry

/// `gateway check-config FILE`: validate a configuration and its catalogue without running.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and the metric catalogue it names.",
        discussion: "Prints every problem as file:line:column: key: what was expected. Exit status 0 when valid, 2 otherwise."
    )

    @Argument(help: "Configuration file.")
    var file = "config/gateway.yaml"

    func run() throws {
        let config: GatewayConfig
        do {
            config = try ConfigLoader.load(path: file)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        var problems: [String] = []
        do {
            _ = try config.mqtt.resolvePassword(environment: ProcessInfo.processInfo.environment)
        } catch {
            problems.append("\(file): \(error)")
        }
        if !problems.isEmpty {
            FileHandle.standardError.write(Data((problems.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(2)
        }
        let mqtt = config.mqtt
        let metrics = config.catalogue.definitions
        print(
            """
            \(file): OK
              broker      \(mqtt.host):\(mqtt.port), MQTT \(mqtt.protocolVersion), QoS \(mqtt.qos), client id "\(mqtt.clientID)", \
            \(mqtt.cleanSession ? "clean session" : "persistent session")\(mqtt.tls != nil ? ", TLS" : "")
              topics      \(mqtt.topics.joined(separator: ", "))
            \(ingestLines(config.ingest))
              catalogue   \(metrics.count) metrics (\(count(.gauge, in: metrics)), \(count(.counter, in: metrics)), \
            \(count(.state, in: metrics))), \(config.catalogue.strict ? "strict" : "lenient")
              tiers       \(config.rollup.tiers.map(\.name).joined(separator: ", ")), allowed lateness \(config.rollup.allowedLatenessMillis) ms
              data dir    \(config.storage.dataDirectory)
            """)
    }

    /// The JSON pattern, or each subscription's format and summary when they are listed.
    private func ingestLines(_ ingest: IngestSettings) -> String {
        guard let subscriptions = ingest.subscriptions else { return "  pattern     \(ingest.topicPattern)" }
        let json = subscriptions.contains { $0.format == "json" } ? [] : ["  json        \(ingest.topicPattern) (default)"]
        let lines = subscriptions.map { "  \($0.format.padding(toLength: 12, withPad: " ", startingAt: 0))\($0.summary)" }
        return (json + lines).joined(separator: "\n")
    }

    /// "10 gauges", "1 state".
    private func count(_ kind: MetricKind, in metrics: [MetricDefinition]) -> String {
        let number = metrics.filter { $0.kind == kind }.count
        return "\(number) \(kind.rawValue)\(number == 1 ? "" : "s")"
    }
}
