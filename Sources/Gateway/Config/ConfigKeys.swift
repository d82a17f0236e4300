/// Every key of `gateway.yaml`, declared once. Each section's declarations live in their own
/// file (`ConfigKeys+Ingest.swift`, `ConfigKeys+MQTT.swift`…); `ConfigLoader` reads the file
/// through them, and `ConfigReference` prints `config/README.md`'s key tables from them, which
/// `ConfigReferenceTests` holds the README and `config/gateway.yaml` to.
enum ConfigKeys {
    /// Milliseconds in a second, minute, hour and day, for the declared ranges.
    static let second: Int64 = 1_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// The top-level sections, in the order they are allowed, listed and suggested.
    static let sectionNames = [mqtt.path, ingest.path, rollup.path, storage.path, logging.path]
}
