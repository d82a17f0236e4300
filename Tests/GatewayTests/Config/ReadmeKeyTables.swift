import Foundation

@testable import Gateway

/// The configuration key tables of `config/README.md` (`| key | type | default | meaning |`
/// under a heading naming a `gateway.yaml` section in a code span), and every way they differ
/// from the tables `ConfigReference` makes from the declarations, each problem naming the key.
struct ReadmeKeyTables {
    /// One README table: the section its heading names, its header line and its rows.
    struct Table {
        /// The first code span of the heading above the table (`mqtt.tls`).
        let section: String
        /// The header line, e.g. `| key | type | default | meaning |`.
        let header: String
        /// The rows as written (`paths` empty: the README only has names).
        var rows: [ConfigReference.Row] = []
    }

    /// The tables under headings that name a section of `gateway.yaml`, in README order.
    let tables: [Table]

    /// Parses the key tables out of `markdown`; other tables (value forms, the metric
    /// catalogue) are skipped by their heading or header.
    init(markdown: String) {
        var tables: [Table] = []
        var section: String?
        var current: Table?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") {
                section = Self.firstCodeSpan(line)
            }
            if line.hasPrefix("| key | type |"), let section, Self.isConfigSection(section) {
                current = Table(section: section, header: line)
            } else if var table = current, line.hasPrefix("|") {
                if let row = Self.row(line) {
                    table.rows.append(row)
                }
                current = table
            } else if let table = current {
                tables.append(table)
                current = nil
            }
        }
        if let current {
            tables.append(current)
        }
        self.tables = tables
    }

    /// What differs between these tables and `expected`, one sentence per difference, naming
    /// the key's dotted path. Empty when they agree.
    func problems(against expected: [ConfigReference.Table]) -> [String] {
        var problems: [String] = []
        var unmatched = tables
        for table in expected {
            guard
                let index = unmatched.firstIndex(where: { $0.section == table.section && $0.header == table.header })
            else {
                let paths = table.rows.map { Self.paths(of: $0, in: table) }.joined(separator: ", ")
                problems.append(
                    "config/README.md has no table \"\(table.header)\" under a heading naming `\(table.section)`; "
                        + "its declared keys are missing: \(paths)")
                continue
            }
            problems += Self.problems(readme: unmatched.remove(at: index), declared: table)
        }
        for table in unmatched {
            let names = table.rows.map { "\(table.section).\($0.name)" }.joined(separator: ", ")
            problems.append(
                "config/README.md has a table \"\(table.header)\" under `\(table.section)` that no "
                    + "declaration makes; its keys are not declared in ConfigKeys: \(names)")
        }
        return problems
    }

    /// Row by row: missing, extra and repeated keys, differing cells, and the order.
    private static func problems(readme: Table, declared: ConfigReference.Table) -> [String] {
        var problems: [String] = []
        var readmeRows: [String: ConfigReference.Row] = [:]
        for row in readme.rows {
            if readmeRows.updateValue(row, forKey: row.name) != nil {
                problems.append(
                    "`\(readme.section).\(row.name)`: config/README.md's `\(readme.section)` table lists it twice")
            }
        }
        let declaredNames = Set(declared.rows.map(\.name))
        for row in declared.rows {
            let key = paths(of: row, in: declared)
            guard let written = readmeRows[row.name] else {
                problems.append(
                    "`\(key)`: declared, but config/README.md's `\(declared.section)` table has no row for it")
                continue
            }
            for (cell, readmeText, declaredText) in [
                ("type", written.type, row.type), ("default", written.defaultText, row.defaultText),
                ("meaning", written.meaning, row.meaning),
            ] where readmeText != declaredText {
                problems.append(
                    "`\(key)`: config/README.md's \(cell) is \"\(readmeText)\" but the declaration's is "
                        + "\"\(declaredText)\"")
            }
        }
        for row in readme.rows where !declaredNames.contains(row.name) {
            problems.append(
                "`\(readme.section).\(row.name)`: in config/README.md's `\(readme.section)` table but not "
                    + "declared in ConfigKeys")
        }
        let readmeOrder = readme.rows.map(\.name).filter { declaredNames.contains($0) }
        let declaredOrder = declared.rows.map(\.name).filter { readmeRows[$0] != nil }
        if readmeOrder != declaredOrder,
            let first = zip(readmeOrder, declaredOrder).first(where: { $0 != $1 })
        {
            problems.append(
                "`\(declared.section).\(first.1)`: config/README.md's `\(declared.section)` table has "
                    + "`\(first.0)` where the declarations have `\(first.1)`; rows go in declaration order: "
                    + declaredOrder.joined(separator: ", "))
        }
        return problems
    }

    /// The declared keys a row stands for, joined with ` / ` (two for a log policy row).
    private static func paths(of row: ConfigReference.Row, in table: ConfigReference.Table) -> String {
        row.paths.isEmpty ? "\(table.section).\(row.name)" : row.paths.joined(separator: " / ")
    }

    /// A key row's cells; `nil` for the separator line.
    private static func row(_ line: String) -> ConfigReference.Row? {
        guard line.hasPrefix("| "), line.hasSuffix(" |"), !line.hasPrefix("|---") else {
            return nil
        }
        let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
        guard cells.count == 4 else {
            return ConfigReference.Row(name: line, paths: [], type: "", defaultText: "", meaning: "")
        }
        let name = cells[0].hasPrefix("`") && cells[0].hasSuffix("`") ? String(cells[0].dropFirst().dropLast()) : cells[0]
        return ConfigReference.Row(
            name: name, paths: [], type: cells[1], defaultText: cells[2], meaning: cells[3])
    }

    /// The text of the first `code span` in `line`, if any.
    private static func firstCodeSpan(_ line: String) -> String? {
        let parts = line.split(separator: "`", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    /// Whether `name` is a top-level section of `gateway.yaml` or nested in one.
    private static func isConfigSection(_ name: String) -> Bool {
        ConfigKeys.sectionNames.contains { name == $0 || name.hasPrefix($0 + ".") }
    }
}
