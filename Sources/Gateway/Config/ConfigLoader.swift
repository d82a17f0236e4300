import Foundation
import Telemetry
import Yams

/// Reads `gateway.yaml` into a `GatewayConfig`, walking the YAML nodes so every problem carries
/// its file, line, column and key path. All problems are collected (config and catalogue) and
/// thrown together; keys missing from the file keep their defaults, and an empty file is all
/// defaults. Which keys exist and how each is read is declared in `ConfigKeys`; this type runs
/// the sections, subscribes to the `ingest.subscriptions` patterns when `mqtt.topics` is unset,
/// and loads the catalogue `ingest.catalogue` names.
enum ConfigLoader {
    /// Reads and validates the config file at `path` and the catalogue it names. A missing file
    /// is one issue, `file not found`. Throws `ConfigErrors` with every issue found.
    static func load(path: String) throws(ConfigErrors) -> GatewayConfig {
        switch ConfigTextFile.read(path: path) {
        case .text(let text):
            return try parse(yaml: text, sourcePath: path)
        case .unreadable(let reason):
            throw ConfigErrors(issues: [ConfigIssue(file: path, key: "", message: reason)])
        }
    }

    /// Validates `yaml` as if read from `sourcePath`: issues name `sourcePath`, and the catalogue
    /// and other relative file paths are resolved against its directory.
    static func parse(yaml: String, sourcePath: String) throws(ConfigErrors) -> GatewayConfig {
        var reader = ConfigNodeReader(file: sourcePath)
        let root =
            reader.section(reader.document(yaml), key: "", allowedKeys: ConfigKeys.sectionNames)
            ?? .absent(key: "")
        var mqtt = MQTTSettings()
        ConfigKeys.mqtt.read(root.node(ConfigKeys.mqtt.name), into: &mqtt, reader: &reader)
        var ingest = IngestSettings()
        ConfigKeys.ingest.read(root.node(ConfigKeys.ingest.name), into: &ingest, reader: &reader)
        // Filters made from the subscriptions unless `mqtt.topics` names its own.
        if let subscriptions = ingest.subscriptions, root.node(ConfigKeys.mqtt.name)?.mapping?["topics"] == nil {
            mqtt.topics = subscriptions.map(\.mqttFilter)
        }
        var rollup = RollupSettings()
        ConfigKeys.rollup.read(root.node(ConfigKeys.rollup.name), into: &rollup, reader: &reader)
        var storage = StorageSettings()
        ConfigKeys.storage.read(root.node(ConfigKeys.storage.name), into: &storage, reader: &reader)
        var query = QuerySettings()
        ConfigKeys.query.read(root.node(ConfigKeys.query.name), into: &query, reader: &reader)
        var http = HTTPSettings()
        ConfigKeys.http.read(root.node(ConfigKeys.http.name), into: &http, reader: &reader)
        ConfigKeys.checkHTTPToken(http, node: root.node(ConfigKeys.http.name)?.mapping?["listen"], reader: &reader)
        var logging = LoggingSettings()
        ConfigKeys.logging.read(root.node(ConfigKeys.logging.name), into: &logging, reader: &reader)

        let ingestNode = root.node("ingest")?.mapping
        let cataloguePath = ConfigTextFile.resolve(ingest.cataloguePath, against: reader.baseDirectory)
        var catalogue = MetricCatalogue([])
        var catalogueIssues: [ConfigIssue] = []
        switch ConfigTextFile.read(path: cataloguePath) {
        case .text(let text):
            (catalogue, catalogueIssues) = MetricCatalogueLoader.read(yaml: text, file: cataloguePath)
        case .unreadable(let reason):
            reader.report(
                "cannot load the metric catalogue \(cataloguePath): \(reason)", key: "ingest.catalogue",
                at: ingestNode?["catalogue"])
        }
        let issues = inFileOrder(reader.issues) + catalogueIssues
        guard issues.isEmpty else {
            throw ConfigErrors(issues: issues)
        }
        if ingestNode?["strict_metrics"] != nil {
            catalogue = MetricCatalogue(catalogue.definitions, strict: ingest.strictMetrics)
        } else {
            ingest.strictMetrics = catalogue.strict
        }
        return GatewayConfig(
            mqtt: mqtt, ingest: ingest, rollup: rollup, storage: storage, query: query, http: http, logging: logging,
            catalogue: catalogue, sourcePath: sourcePath)
    }

    /// Issues sorted by line and column (sections are read in a fixed order, not file order);
    /// issues without a position first, ties kept in the order found.
    static func inFileOrder(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated().sorted { left, right in
            let leftPosition = (left.element.line ?? 0, left.element.column ?? 0, left.offset)
            let rightPosition = (right.element.line ?? 0, right.element.column ?? 0, right.offset)
            return leftPosition < rightPosition
        }.map(\.element)
    }
}
