import Foundation
import Telemetry
import Testing

@testable import Gateway

/// `config/README.md`'s key tables and `config/gateway.yaml` are held to the declarations in
/// `ConfigKeys`, and the declarations to the settings structs' defaults, so none of the four
/// can drift from the others unnoticed.
@Suite("Config reference")
struct ConfigReferenceTests {
    private static let readmePath = ConfigFixture.repositoryRoot + "/config/README.md"
    private static let yamlPath = ConfigFixture.repositoryRoot + "/config/gateway.yaml"

    // MARK: - config/README.md

    @Test func theReadmeKeyTablesAreTheDeclarationsRowForRow() throws {
        let readme = ReadmeKeyTables(markdown: try String(contentsOfFile: Self.readmePath, encoding: .utf8))
        #expect(readme.tables.count == ConfigReference.tables.count)
        for problem in readme.problems(against: ConfigReference.tables) {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test func aReadmeRowThatDiffersFromItsDeclarationIsNamedByKey() throws {
        let text = try String(contentsOfFile: Self.readmePath, encoding: .utf8)
        func problems(_ edited: String) -> [String] {
            #expect(edited != text, "the edit did not apply")
            return ReadmeKeyTables(markdown: edited).problems(against: ConfigReference.tables)
        }
        let maxNameBytes = "| `max_name_bytes` | integer 16…65535 | `128` |"
        #expect(
            problems(text.replacingOccurrences(of: maxNameBytes, with: "| `max_name_bytes` | integer 16…65535 | `256` |"))
                == [#"`ingest.max_name_bytes`: config/README.md's default is "`256`" but the declaration's is "`128`""#])
        #expect(
            problems(text.replacingOccurrences(of: "| `1s` / `1s` |", with: "| `1s` / `2s` |"))
                == [
                    "`storage.rollup_log.fsync_interval / storage.quarantine_log.fsync_interval`: config/README.md's "
                        + #"default is "`1s` / `2s`" but the declaration's is "`1s` / `1s`""#
                ])
        let hostRow = "| `host` | string | `127.0.0.1` | Broker host name or IP address. |\n"
        #expect(
            problems(text.replacingOccurrences(of: hostRow, with: ""))
                == ["`mqtt.host`: declared, but config/README.md's `mqtt` table has no row for it"])
        #expect(
            problems(text.replacingOccurrences(of: hostRow, with: hostRow + "| `hostname` | string | — | Old name. |\n"))
                == ["`mqtt.hostname`: in config/README.md's `mqtt` table but not declared in ConfigKeys"])
        let levelRow = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `level` |") })
        let statusRow = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `status_interval` |") })
        #expect(
            problems(
                text.replacingOccurrences(of: levelRow + "\n" + statusRow, with: statusRow + "\n" + levelRow))
                == [
                    "`logging.level`: config/README.md's `logging` table has `status_interval` where the "
                        + "declarations have `level`; rows go in declaration order: level, status_interval"
                ])
    }

    @Test func configReferencePrintsOneTablePerReadmeTableEveryDeclaredKeyInExactlyOneRow() {
        let tablePaths = ConfigReference.tables.flatMap { $0.rows.flatMap(\.paths) }
        #expect(tablePaths.count == Set(tablePaths).count)
        #expect(tablePaths.sorted() == ConfigReference.keys.map(\.path).sorted())
        let markdown = ConfigReference.markdown
        for table in ConfigReference.tables {
            #expect(markdown.contains(table.header + "\n|---|---|---|---|\n" + (table.rows.first?.markdown ?? "")))
        }
    }

    // MARK: - The declarations themselves

    @Test func everyKeySitsInItsSectionOnceAndEveryNestedSectionsKeysAreDeclared() {
        let paths = ConfigReference.keys.map(\.path)
        #expect(paths.count == Set(paths).count, "a key is declared twice")
        func check<Settings>(_ section: ConfigSection<Settings>) {
            for key in section.keys {
                #expect(key.doc.path == "\(section.path).\(key.name)", "\(key.doc.path) is declared in \(section.path)")
            }
            #expect(section.allowedKeys.count == Set(section.allowedKeys).count, "\(section.path) allows a key twice")
            section.inlineSections.forEach(check)
        }
        check(ConfigKeys.mqtt)
        check(ConfigKeys.tls)
        check(ConfigKeys.ingest)
        check(ConfigKeys.rollup)
        check(ConfigKeys.storage)
        check(ConfigKeys.rollupLog)
        check(ConfigKeys.quarantineLog)
        check(ConfigKeys.logging)
        for key in ConfigReference.keys where key.kind == .section {
            #expect(paths.contains { $0.hasPrefix(key.path + ".") }, "\(key.path)'s keys are not in ConfigReference.keys")
        }
        #expect(ConfigKeys.sectionNames == ["mqtt", "ingest", "rollup", "storage", "query", "http", "logging"])
    }

    @Test func everyDeclaredDefaultLoadsAsTheSettingsStructsDefault() throws {
        let fixture = try ConfigFixture()
        let keysWithDefaults = ConfigReference.keys.filter { $0.kind == .value && $0.defaultLiteral != nil }
        #expect(keysWithDefaults.count >= 40)
        for key in keysWithDefaults {
            guard let literal = key.defaultLiteral else { continue }
            var yaml = Self.yaml(setting: key.path, to: literal)
            var mqtt = MQTTSettings()
            if key.path.hasPrefix(ConfigKeys.tls.path + ".") {
                // TLS is off by default; a tls section needs a CA, so give it one.
                yaml += "    ca_path: .\n"
                mqtt.tls = TLSSettings(caPath: fixture.directory + "/.")
            }
            do {
                let config = try fixture.parse(yaml)
                let matches =
                    config.mqtt == mqtt && config.ingest == IngestSettings()
                    && config.rollup == RollupSettings() && config.storage == StorageSettings()
                    && config.logging == LoggingSettings()
                #expect(matches, "\(key.path): the declared default \(key.defaultText) is not the settings struct's default")
            } catch {
                Issue.record("\(key.path): the declared default \(key.defaultText) does not load: \(error)")
            }
        }
    }

    /// `a:\n  b:\n    c: value` for `a.b.c`.
    private static func yaml(setting path: String, to value: String) -> String {
        let names = path.split(separator: ".")
        return names.enumerated().map { depth, name in
            String(repeating: "  ", count: depth) + "\(name):" + (depth == names.count - 1 ? " \(value)" : "")
        }.joined(separator: "\n") + "\n"
    }

    // MARK: - config/gateway.yaml

    @Test func everyDeclaredKeyIsInGatewayYAMLSetToItsDeclaredDefaultOrCommentedOutWhenUnset() throws {
        let yaml = try GatewayYamlKeyLines(text: try String(contentsOfFile: Self.yamlPath, encoding: .utf8))
        for problem in yaml.problems(against: ConfigReference.keys) {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test func aGatewayYAMLLineThatDiffersFromItsDeclarationIsNamedByKey() throws {
        let text = try String(contentsOfFile: Self.yamlPath, encoding: .utf8)
        func problems(_ edited: String) throws -> [String] {
            #expect(edited != text, "the edit did not apply")
            return try GatewayYamlKeyLines(text: edited).problems(against: ConfigReference.keys)
        }
        let lineOf: (String) -> Int = { fragment in
            (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(fragment) } ?? -1) + 1
        }
        #expect(
            try problems(text.replacingOccurrences(of: "  max_name_bytes: 128\n", with: "  max_name_bytes: 256\n"))
                == [
                    "`ingest.max_name_bytes`: config/gateway.yaml line \(lineOf("max_name_bytes: 128")) has 256, "
                        + "the declared default is `128`"
                ])
        #expect(
            try problems(text.replacingOccurrences(of: "    retain_age: 30d\n", with: ""))
                == [
                    "`storage.quarantine_log.retain_age`: declared, but config/gateway.yaml has no `retain_age:` "
                        + "line for it (active or commented out)"
                ])
        #expect(
            try problems(text.replacingOccurrences(of: "  # username: gateway\n", with: "  username: gateway\n"))
                == [
                    "`mqtt.username`: config/gateway.yaml line \(lineOf("# username: gateway")) sets it, but its "
                        + "declared default is \"unset (anonymous)\"; comment the line out"
                ])
        #expect(
            try problems(text.replacingOccurrences(of: "  qos: 1\n", with: "  # qos: 1\n"))
                == [
                    "`mqtt.qos`: config/gateway.yaml line \(lineOf("qos: 1")) is commented out, but the key has a "
                        + "default (`1`); show it set to that"
                ])
    }
}
