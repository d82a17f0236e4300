/// The poison guard's file could not be opened or mapped.
public struct PoisonGuardError: Error, Equatable, CustomStringConvertible {
    public var path: String
    /// The system call that failed.
    public var operation: String
    public var errno: Int32

    public var description: String {
        "\(path): \(operation) failed (errno \(errno)); the gateway needs this file to set aside a message that crashes it"
    }
}
