/// How the `Pipeline` target reports a broken invariant: a trap with a message, which
/// libFuzzer reports as a crash and saves the input for.
enum Invariant {
    /// `condition`, or a trap that says what broke.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("Pipeline invariant: \(message())") }
    }

    /// A trap that says what broke.
    static func fail(_ message: String) -> Never {
        fatalError("Pipeline invariant: \(message)")
    }
}
