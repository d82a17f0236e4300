/// The key tables of `config/README.md`, made from the declarations in `ConfigKeys`: one table
/// per section in the README's layout (`mqtt` with its `reconnect.*` rows, `mqtt.tls`, `ingest`,
/// `rollup`, `storage`, the log policy shared by `storage.rollup_log` and
/// `storage.quarantine_log`, `logging`). `gateway config-reference` prints them and
/// `ConfigReferenceTests` fails when the README's rows differ, so the README cannot drift from
/// what the loader accepts.
enum ConfigReference {
    /// One row: a key as its table names it, and the cells.
    struct Row: Sendable, Equatable {
        /// The key relative to the table's section (`port`, `reconnect.initial`).
        let name: String
        /// The declared keys the row stands for (two for a log policy row).
        let paths: [String]
        /// The "type" cell.
        let type: String
        /// The "default" cell (`rollup / quarantine` for a log policy row).
        let defaultText: String
        /// The "meaning" cell.
        let meaning: String

        /// The row as a Markdown table line.
        var markdown: String {
            "| `\(name)` | \(type) | \(defaultText) | \(meaning) |"
        }
    }

    /// One table, under a heading naming its section.
    struct Table: Sendable {
        /// The section the table documents (`mqtt.tls`), as the README's heading names it in a
        /// code span.
        let section: String
        /// Heading text after the section's name, for printing.
        let title: String
        /// The third column's header: `default`, or `default (rollup / quarantine)`.
        let defaultHeader: String
        /// The rows, in declaration order.
        let rows: [Row]

        /// The header line, as the README writes it.
        var header: String {
            "| key | type | \(defaultHeader) | meaning |"
        }

        /// Heading, header, separator and rows.
        var markdown: String {
            (["## `\(section)`\(title)", "", header, "|---|---|---|---|"] + rows.map(\.markdown))
                .joined(separator: "\n")
        }
    }

    /// The header of an ordinary key table.
    static let plainDefaultHeader = "default"

    /// Every declared key, section by section (nested sections after the section holding them).
    static let keys: [ConfigKeyDoc] =
        ConfigKeys.mqtt.docs + ConfigKeys.tls.docs + ConfigKeys.ingest.docs + ConfigKeys.rollup.docs
        + ConfigKeys.storage.docs + ConfigKeys.rollupLog.docs + ConfigKeys.quarantineLog.docs
        + ConfigKeys.query.docs + ConfigKeys.http.docs + ConfigKeys.logging.docs

    /// The tables, in the README's order.
    static let tables: [Table] = [
        table(ConfigKeys.mqtt.path, " — the broker connection", ConfigKeys.mqtt.docs),
        table(ConfigKeys.tls.path, "", ConfigKeys.tls.docs),
        table(ConfigKeys.ingest.path, " — what comes in", ConfigKeys.ingest.docs),
        table(ConfigKeys.rollup.path, " — windows", ConfigKeys.rollup.docs),
        table(ConfigKeys.storage.path, " — logs on disk", ConfigKeys.storage.docs),
        logPolicyTable,
        table(ConfigKeys.query.path, " — the query index", ConfigKeys.query.docs),
        table(ConfigKeys.http.path, " — the HTTP API", ConfigKeys.http.docs),
        table(ConfigKeys.logging.path, " — the gateway's own log", ConfigKeys.logging.docs),
    ]

    /// Every table as Markdown, separated by blank lines.
    static var markdown: String {
        tables.map(\.markdown).joined(separator: "\n\n") + "\n"
    }

    /// A table of `docs`, each named relative to `section`.
    private static func table(_ section: String, _ title: String, _ docs: [ConfigKeyDoc]) -> Table {
        let rows = docs.map { doc in
            Row(
                name: relativeName(doc.path, in: section), paths: [doc.path], type: doc.type,
                defaultText: doc.defaultText, meaning: doc.meaning)
        }
        return Table(section: section, title: title, defaultHeader: plainDefaultHeader, rows: rows)
    }

    /// The log policy keys once, with the rollup log's default and the quarantine log's side by
    /// side. Both sections come from one declaration, so their names, types and meanings agree.
    private static var logPolicyTable: Table {
        let rollup = ConfigKeys.rollupLog
        let quarantine = ConfigKeys.quarantineLog
        let rows = zip(rollup.docs, quarantine.docs).map { rollupDoc, quarantineDoc in
            Row(
                name: relativeName(rollupDoc.path, in: rollup.path),
                paths: [rollupDoc.path, quarantineDoc.path], type: rollupDoc.type,
                defaultText: "\(rollupDoc.defaultText) / \(quarantineDoc.defaultText)",
                meaning: rollupDoc.meaning)
        }
        return Table(
            section: ConfigKeys.storage.path,
            title: " — a log policy (`\(rollup.name)`, `\(quarantine.name)`)",
            defaultHeader: "default (rollup / quarantine)",
            rows: rows)
    }

    /// `path` without the `section.` in front (`reconnect.initial` for `mqtt.reconnect.initial`).
    static func relativeName(_ path: String, in section: String) -> String {
        path.hasPrefix(section + ".") ? String(path.dropFirst(section.count + 1)) : path
    }
}
