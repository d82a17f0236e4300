/// The gateway's own diagnostic logging (not the rollup or quarantine logs).
struct LoggingSettings: Sendable, Equatable {
    /// The accepted values of `level`, lowest first; they are swift-log's `Logger.Level` raw values.
    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Minimum level logged; always one of `LoggingSettings.levels`.
    var level = "info"
    /// Seconds between status lines (rates, ring fill, quarantine counts); 0 disables them.
    var statusIntervalSeconds = 10

    /// All defaults.
    init() {}
}
