import Yams

/// Readers of single values: each checks the type and range, reports a problem with the key and
/// what was expected, and returns nil so the caller keeps its default.
extension ConfigNodeReader {
    /// An integer in `range`, written plain (`1883`) or quoted.
    mutating func integer(_ name: String, in section: Section, range: ClosedRange<Int>) -> Int? {
        section.node(name).flatMap { integer($0, key: section.path(name), range: range) }
    }

    /// `node` as an integer in `range`.
    mutating func integer(_ node: Node, key: String, range: ClosedRange<Int>) -> Int? {
        let expected = "expected an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let text = node.scalar?.string, !Self.isNull(node),
            let value = Int(text.trimmingSpaces.filter { $0 != "_" }), range.contains(value)
        else {
            report("\(expected), got \(Self.describe(node))", key: key, at: node)
            return nil
        }
        return value
    }

    /// A number (integer or decimal), finite.
    mutating func number(_ name: String, in section: Section) -> Double? {
        guard let node = section.node(name) else {
            return nil
        }
        guard let text = node.scalar?.string, !Self.isNull(node),
            let value = Double(text.trimmingSpaces), value.isFinite,
            text.trimmingSpaces.allSatisfy({ "0123456789+-.eE".contains($0) })
        else {
            report(
                "expected a number like 150 or -40.5, got \(Self.describe(node))",
                key: section.path(name), at: node)
            return nil
        }
        return value
    }

    /// `true` or `false` (also `yes`/`no`, `on`/`off`).
    mutating func bool(_ name: String, in section: Section) -> Bool? {
        guard let node = section.node(name) else {
            return nil
        }
        switch node.scalar.map({ $0.string.trimmingSpaces.lowercased() }) {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, got \(Self.describe(node))", key: section.path(name), at: node)
            return nil
        }
    }

    /// A non-empty string. Numbers and booleans are read as written (`client_id: 42` is "42").
    /// With `nullMeansAbsent`, a YAML null reads as `nil` without an issue (for optional keys).
    mutating func string(
        _ name: String, in section: Section, describing expected: String = "a non-empty string",
        nullMeansAbsent: Bool = false, allowEmpty: Bool = false
    ) -> String? {
        guard let node = section.node(name) else {
            return nil
        }
        return string(
            node, key: section.path(name), describing: expected,
            nullMeansAbsent: nullMeansAbsent, allowEmpty: allowEmpty)
    }

    /// `node` as a string, non-empty unless `allowEmpty`.
    mutating func string(
        _ node: Node, key: String, describing expected: String = "a non-empty string",
        nullMeansAbsent: Bool = false, allowEmpty: Bool = false
    ) -> String? {
        if nullMeansAbsent && Self.isNull(node) {
            return nil
        }
        guard let text = node.scalar?.string, !Self.isNull(node), allowEmpty || !text.isEmpty else {
            report("expected \(expected), got \(Self.describe(node))", key: key, at: node)
            return nil
        }
        return text
    }

    /// One of `options`, written exactly (e.g. `fsync: interval`); a near miss gets a suggestion.
    mutating func choice(_ name: String, in section: Section, options: [String]) -> String? {
        guard let node = section.node(name) else {
            return nil
        }
        guard let text = node.scalar?.string, !Self.isNull(node), options.contains(text) else {
            var message = "expected \(Self.alternatives(options)), got \(Self.describe(node))"
            if let text = node.scalar?.string,
                let suggestion = ConfigKeySuggester.suggestion(for: text, among: options)
            {
                message += "; did you mean \(suggestion)?"
            }
            report(message, key: section.path(name), at: node)
            return nil
        }
        return text
    }

    /// Milliseconds of a duration such as `500ms`, `10s`, `1m`, `1h` or `1d` within `range`;
    /// with `wholeSeconds`, only whole seconds are accepted.
    mutating func duration(
        _ name: String, in section: Section, range: ClosedRange<Int64>, wholeSeconds: Bool = false
    ) -> Int64? {
        section.node(name).flatMap {
            duration($0, key: section.path(name), range: range, wholeSeconds: wholeSeconds)
        }
    }

    /// `node` as a duration in milliseconds within `range`.
    mutating func duration(
        _ node: Node, key: String, range: ClosedRange<Int64>, wholeSeconds: Bool = false
    ) -> Int64? {
        let forms = "a duration like 500ms, 10s, 1m, 1h or 1d"
        guard let text = node.scalar?.string, !Self.isNull(node) else {
            report("expected \(forms), got \(Self.describe(node))", key: key, at: node)
            return nil
        }
        guard let millis = ConfigValueParsers.durationMillis(text) else {
            let isBareNumber = Int64(text.trimmingSpaces) != nil
            let hint = isBareNumber ? " (a number needs a unit, e.g. \(text.trimmingSpaces)s)" : ""
            report("expected \(forms), got \(Self.describe(node))\(hint)", key: key, at: node)
            return nil
        }
        if wholeSeconds && millis % 1_000 != 0 {
            report(
                "expected a whole number of seconds like 30s, got \(Self.describe(node))",
                key: key, at: node)
            return nil
        }
        guard range.contains(millis) else {
            let low = ConfigValueParsers.durationText(millis: range.lowerBound)
            let high = ConfigValueParsers.durationText(millis: range.upperBound)
            report(
                "expected a duration from \(low) to \(high), got \(Self.describe(node))",
                key: key, at: node)
            return nil
        }
        return millis
    }

    /// A byte size such as `512`, `64KiB`, `64 KiB`, `32MiB` or `10MB` within `range`; with
    /// `powerOfTwo`, only powers of two are accepted.
    mutating func byteSize(
        _ name: String, in section: Section, range: ClosedRange<Int64>, powerOfTwo: Bool = false
    ) -> Int64? {
        guard let node = section.node(name) else {
            return nil
        }
        let key = section.path(name)
        guard let text = node.scalar?.string, !Self.isNull(node),
            let bytes = ConfigValueParsers.byteCount(text)
        else {
            report(
                "expected a size like 512, 64KiB, 32MiB or 1GiB (also KB, MB, GB: powers of 1000), "
                    + "got \(Self.describe(node))",
                key: key, at: node)
            return nil
        }
        let low = ConfigValueParsers.byteText(range.lowerBound)
        let high = ConfigValueParsers.byteText(range.upperBound)
        let isPowerOfTwo = bytes > 0 && bytes & (bytes - 1) == 0
        if (powerOfTwo && !isPowerOfTwo) || !range.contains(bytes) {
            let what = powerOfTwo ? "a power of two" : "a size"
            report(
                "expected \(what) from \(low) to \(high), got \(Self.describe(node))",
                key: key, at: node)
            return nil
        }
        return bytes
    }

    /// `node` as a list (a YAML sequence), reporting anything else as not `expected`.
    mutating func list(_ name: String, in section: Section, describing expected: String) -> [Node]? {
        guard let node = section.node(name) else {
            return nil
        }
        guard let sequence = node.sequence else {
            report("expected \(expected), got \(Self.describe(node))", key: section.path(name), at: node)
            return nil
        }
        return Array(sequence)
    }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ options: [String]) -> String {
        guard options.count > 1, let last = options.last else {
            return options.first ?? ""
        }
        return options.dropLast().joined(separator: ", ") + " or " + last
    }
}

extension String {
    /// The string without leading and trailing spaces (only U+0020, as YAML values have no tabs).
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view.removeFirst() }
        while view.last == " " { view.removeLast() }
        return String(view)
    }
}
