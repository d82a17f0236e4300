/// A setting libmosquitto refused; the message names the setting.
struct MQTTSourceError: Error, CustomStringConvertible {
    var description: String

    static func setup(_ description: String) -> MQTTSourceError { MQTTSourceError(description: description) }
}
