/// An error for people: what failed, naming the option, path or address involved and what was
/// expected. Printed by the command line as `Error: <message>`.
struct SimError: Error, CustomStringConvertible, Equatable {
    /// The complete message.
    let message: String

    /// Creates an error with its complete message.
    init(_ message: String) {
        self.message = message
    }

    /// The message, as printed.
    var description: String { message }
}
