/// One problem found in a configuration or catalogue file, located precisely enough that an
/// operator can go straight to it: file, line, column, key path and what was expected.
struct ConfigIssue: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in, as the path was given (e.g. `config/gateway.yaml`).
    var file: String
    /// 1-based line, or `nil` when the problem has no single place (e.g. a missing file).
    var line: Int?
    /// 1-based column in Unicode scalars, or `nil` together with `line`.
    var column: Int?
    /// Dotted key path such as `mqtt.port` or `rollup.tiers[1]`; empty for file-level problems.
    var key: String
    /// What is wrong and what was expected, e.g. `expected an integer from 1 to 65535, got "abc"`.
    var message: String

    /// Creates an issue; `line` and `column` are 1-based.
    init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `file:line:column: key: message`, leaving out the parts that are unknown, in the format
    /// compilers use so editors and terminals can jump to the place.
    var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column {
                text += ":\(column)"
            }
        }
        text += ": "
        if !key.isEmpty {
            text += "\(key): "
        }
        return text + message
    }
}
