/// A reason `gateway run` cannot start, in a sentence naming the settings involved.
struct GatewayRuntimeError: Error, CustomStringConvertible {
    var description: String
}
