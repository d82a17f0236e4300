import Yams

@testable import Gateway

/// The key lines of a commented default config such as `config/gateway.yaml`: every `key:` line,
/// active or commented out (`# username: gateway`, `#   ca_file: …`), with its dotted path
/// found from the indentation, and every way the file disagrees with the declarations.
struct GatewayYamlKeyLines {
    /// One `key:` line.
    struct Line {
        /// Dotted path from the top of the file.
        let path: String
        /// 1-based line number.
        let number: Int
        /// Whether the line is commented out.
        let commented: Bool
    }

    /// Key lines by path (the first, when a path repeats in prose comments).
    let lines: [String: Line]
    /// The active document, for the values.
    let document: Node?

    /// Scans `text`. A commented line's indentation is its `#`'s plus the spaces after `# `,
    /// so `  #   ca_file:` nests under `  # tls:`. Comment prose that happens to look like a key
    /// line gives a path no declaration has, which is harmless.
    init(text: String) throws {
        var lines: [String: Line] = [:]
        var stack: [(indent: Int, name: String)] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(raw)
            var indent = 0
            while rest.first == " " {
                rest = rest.dropFirst()
                indent += 1
            }
            let commented = rest.first == "#"
            if commented {
                rest = rest.dropFirst()
                if rest.first == " " {
                    rest = rest.dropFirst()
                }
                while rest.first == " " {
                    rest = rest.dropFirst()
                    indent += 1
                }
            }
            guard let name = Self.keyName(rest) else {
                continue
            }
            while let last = stack.last, last.indent >= indent {
                stack.removeLast()
            }
            stack.append((indent, name))
            let path = stack.map(\.name).joined(separator: ".")
            if lines[path] == nil {
                lines[path] = Line(path: path, number: offset + 1, commented: commented)
            }
        }
        self.lines = lines
        document = try Yams.compose(yaml: text)
    }

    /// Where the file disagrees with `keys`, naming each key: a key without a line; a key with a
    /// default that is commented out (unless a section around it is, like `mqtt.tls`); an active
    /// value other than the declared default; an active value for a key that is unset by default.
    func problems(against keys: [ConfigKeyDoc]) -> [String] {
        var problems: [String] = []
        for key in keys {
            if case .forbidden = key.kind {
                continue
            }
            guard let line = lines[key.path] else {
                problems.append(
                    "`\(key.path)`: declared, but config/gateway.yaml has no `\(key.name):` line for it "
                        + "(active or commented out)")
                continue
            }
            if key.kind == .section {
                continue
            }
            let literal = key.defaultLiteral
            if line.commented {
                if literal != nil && !isInsideCommentedSection(key.path) {
                    problems.append(
                        "`\(key.path)`: config/gateway.yaml line \(line.number) is commented out, but the "
                            + "key has a default (\(key.defaultText)); show it set to that")
                }
                continue
            }
            let written = value(at: key.path).map(Self.canonical)
            guard let literal else {
                problems.append(
                    "`\(key.path)`: config/gateway.yaml line \(line.number) sets it, but its declared "
                        + "default is \"\(key.defaultText)\"; comment the line out")
                continue
            }
            let declared = (try? Yams.compose(yaml: literal)).map(Self.canonical)
            if written != declared {
                problems.append(
                    "`\(key.path)`: config/gateway.yaml line \(line.number) has \(written ?? "no value"), "
                        + "the declared default is \(key.defaultText)")
            }
        }
        return problems
    }

    /// Whether a section holding `path` is itself commented out.
    private func isInsideCommentedSection(_ path: String) -> Bool {
        var parts = path.split(separator: ".").dropLast()
        while !parts.isEmpty {
            if lines[parts.joined(separator: ".")]?.commented == true {
                return true
            }
            parts = parts.dropLast()
        }
        return false
    }

    /// The active value at `path`.
    private func value(at path: String) -> Node? {
        var node = document
        for name in path.split(separator: ".") {
            node = node?.mapping?[String(name)]
        }
        return node
    }

    /// A value with its YAML spelling normalised: scalars by their text (so `"3.1.1"` and
    /// `3.1.1`, or `[a]` and a block list of `a`, compare equal).
    private static func canonical(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return scalar.string
        case .sequence(let sequence):
            return "[" + sequence.map(canonical).joined(separator: ", ") + "]"
        case .mapping(let mapping):
            return "{" + mapping.map { "\(canonical($0.key)): \(canonical($0.value))" }.joined(separator: ", ") + "}"
        case .alias:
            return "*alias"
        }
    }

    /// The key of a `key:` or `key: value` line (lowercase letters, digits, `_`).
    private static func keyName(_ text: Substring) -> String? {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            return nil
        }
        let name = text[..<colon]
        let afterColon = text[text.index(after: colon)...]
        guard afterColon.isEmpty || afterColon.first == " ",
            name.first.map({ $0.isLowercase }) == true,
            name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" })
        else {
            return nil
        }
        return String(name)
    }
}
