import Yams

/// Walks the YAML nodes of one file, turning values into Swift types and collecting every
/// problem as a `ConfigIssue` located by the node's mark. It never stops at the first problem:
/// a reader that finds one reports it and returns `nil`, and the caller keeps the default.
struct ConfigNodeReader {
    /// The file every issue is attributed to, as the path was given.
    let file: String
    /// Problems found so far, in the order they were found.
    private(set) var issues: [ConfigIssue] = []

    /// A reader attributing issues to `file`.
    init(file: String) {
        self.file = file
    }

    /// The directory of `file`, which relative paths in it (`mqtt.password_file`, the
    /// `mqtt.tls` files) are resolved against.
    var baseDirectory: String {
        ConfigTextFile.directory(of: file)
    }

    /// A YAML mapping whose keys were checked against the keys its section allows.
    struct Section {
        /// Dotted path of the section (`mqtt.reconnect`); empty for the document root.
        let key: String
        /// Where the section starts; `nil` for a section absent from the file.
        let mark: Mark?
        /// Value nodes by key, only for allowed keys.
        fileprivate(set) var values: [String: Node] = [:]

        /// A section that is absent from the file: every lookup finds nothing.
        static func absent(key: String) -> Section {
            Section(key: key, mark: nil)
        }

        /// The dotted path of `name` inside this section, e.g. `mqtt.port`.
        func path(_ name: String) -> String {
            key.isEmpty ? name : "\(key).\(name)"
        }

        /// The value node of `name`, or `nil` when the key is absent.
        func node(_ name: String) -> Node? {
            values[name]
        }
    }

    // MARK: - Document

    /// The root node of `yaml`, or `nil` for a file that is empty or only comments (which means
    /// "all defaults"). A YAML syntax error is reported with its line and column, and gives `nil`.
    mutating func document(_ yaml: String) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            reportSyntaxError(error, in: yaml)
        } catch {
            report("invalid YAML: \(error)", key: "", mark: nil)
        }
        return nil
    }

    /// Turns a Yams error into an issue at the place libyaml stopped.
    private mutating func reportSyntaxError(_ error: YamlError, in yaml: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context, problem.hasPrefix("but ") {
                message = "invalid YAML: \(context.text) \(problem)"
            } else if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            let lines = yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            if mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].contains("\t") {
                message += "; indent with spaces: YAML does not allow tabs"
            }
            report(message, key: "", mark: mark)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { Self.position(ofUTF8Offset: $0, in: yaml) }
            report("invalid YAML: \(problem)", key: "", line: position?.line, column: position?.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map(Self.quoted).joined(separator: ", ")
            report(
                "duplicate key \(names): a key may appear only once in a mapping",
                key: "", mark: context.mark)
        default:
            report("invalid YAML: \(error)", key: "", mark: nil)
        }
    }

    /// Line and column (1-based, in Unicode scalars) of a UTF-8 byte offset into `text`.
    private static func position(ofUTF8Offset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var consumed = 0
        for scalar in text.unicodeScalars {
            if consumed >= offset { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    // MARK: - Reporting

    /// Records a problem at `node`'s position (no position when `node` is `nil`).
    mutating func report(_ message: String, key: String, at node: Node?) {
        report(message, key: key, mark: node?.mark)
    }

    /// Records a problem at `mark`.
    mutating func report(_ message: String, key: String, mark: Mark?) {
        report(message, key: key, line: mark?.line, column: mark?.column)
    }

    /// Records a problem at a 1-based line and column.
    mutating func report(_ message: String, key: String, line: Int?, column: Int?) {
        issues.append(ConfigIssue(file: file, line: line, column: column, key: key, message: message))
    }

    /// How a value reads in a message: strings in quotes, numbers and booleans as written,
    /// `an empty value`, `a list`, `a mapping`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue:
                return "an empty value"
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue, Tag.Name.bool.rawValue:
                return scalar.string
            default:
                return quoted(scalar.string)
            }
        case .sequence:
            return "a list"
        case .mapping:
            return "a mapping"
        case .alias:
            return "an alias"
        }
    }

    /// `text` in double quotes with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Whether `node` is a YAML null (`~`, `null`, or nothing after the colon).
    static func isNull(_ node: Node) -> Bool {
        node.scalar != nil && node.tag.rawValue == Tag.Name.null.rawValue
    }

    // MARK: - Sections

    /// Reads `node` as a mapping with string keys from `allowedKeys`. Returns `nil` when `node`
    /// is `nil` (section absent) or not a mapping (reported); a YAML null reads as an empty
    /// section. Unknown keys are reported with a "did you mean" suggestion when one is close;
    /// a key in `forbiddenKeys` is reported with its own message.
    mutating func section(
        _ node: Node?, key: String, allowedKeys: [String], forbiddenKeys: [String: String] = [:]
    ) -> Section? {
        guard let node else {
            return nil
        }
        var section = Section(key: key, mark: node.mark)
        if Self.isNull(node) {
            return section
        }
        guard let mapping = node.mapping else {
            let what = key.isEmpty ? "the file" : "this section"
            report(
                "expected \(what) to be a mapping of keys (key: value lines), got \(Self.describe(node))",
                key: key, at: node)
            return nil
        }
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, !Self.isNull(keyNode) else {
                report(
                    "expected a key name, got \(Self.describe(keyNode))", key: key, at: keyNode)
                continue
            }
            let path = section.path(name)
            if name == "<<" {
                report(
                    "YAML merge keys (<<) are not supported; write the keys out in full",
                    key: path, at: keyNode)
            } else if let message = forbiddenKeys[name] {
                report(message, key: path, at: keyNode)
            } else if allowedKeys.contains(name) {
                section.values[name] = valueNode
            } else if let suggestion = ConfigKeySuggester.suggestion(for: name, among: allowedKeys) {
                report("unknown key; did you mean \"\(suggestion)\"?", key: path, at: keyNode)
            } else {
                let list = allowedKeys.joined(separator: ", ")
                report("unknown key; the keys allowed here are \(list)", key: path, at: keyNode)
            }
        }
        return section
    }
}
