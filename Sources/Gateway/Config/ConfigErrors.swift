/// Every problem found while loading a configuration, so an operator can fix them all in one
/// pass instead of one per restart. Never empty when thrown.
struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    /// The problems in the order they were found (file order within each file).
    var issues: [ConfigIssue]

    /// Wraps the problems found; callers throw this only when `issues` is non-empty.
    init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    /// One issue per line, each in `file:line:column: key: message` form.
    var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
