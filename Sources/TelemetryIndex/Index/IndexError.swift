/// Why the query index could not be opened, read or written, for a person: the file and what
/// SQLite said.
public struct IndexError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let reason: String

    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "query index \(path): \(operation) failed: \(reason)" }
}
