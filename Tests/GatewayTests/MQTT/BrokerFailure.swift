/// A failure of the broker harness, with a sentence saying what went wrong.
struct BrokerFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
