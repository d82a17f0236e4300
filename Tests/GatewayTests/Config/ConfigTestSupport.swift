import Foundation
import Testing

@testable import Gateway

/// A fresh directory under the system temporary directory holding a config file and a valid
/// catalogue; removed when the value is released.
final class ConfigFixture {
    /// The directory, without a trailing slash.
    let directory: String

    /// The path issues of the config file are attributed to.
    var configPath: String { directory + "/gateway.yaml" }

    /// The catalogue path the default `ingest.catalogue` resolves to.
    var cataloguePath: String { directory + "/metrics.yaml" }

    /// The repository root (where `config/` lives), found from this file's location.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Config
        .deletingLastPathComponent()  // GatewayTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
        .path

    /// A minimal valid catalogue: one gauge.
    static let minimalCatalogue = """
        metrics:
          temperature_c: {kind: gauge, unit: "°C", min: -40, max: 150}
        """

    init(catalogue: String? = ConfigFixture.minimalCatalogue) throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gateway-config-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        directory = path
        if let catalogue {
            try write(catalogue, to: "metrics.yaml")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `text` to `name` inside the fixture directory and returns the full path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Parses `yaml` as `gateway.yaml` in this directory.
    func parse(_ yaml: String) throws(ConfigErrors) -> GatewayConfig {
        try ConfigLoader.parse(yaml: yaml, sourcePath: configPath)
    }

    /// The issues `yaml` produces, or an empty list when it loads.
    func issues(_ yaml: String) -> [ConfigIssue] {
        do {
            _ = try parse(yaml)
            return []
        } catch {
            return error.issues
        }
    }

    /// An issue in this fixture's config file.
    func issue(_ line: Int?, _ column: Int?, _ key: String, _ message: String) -> ConfigIssue {
        ConfigIssue(file: configPath, line: line, column: column, key: key, message: message)
    }
}
