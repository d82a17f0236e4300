/// `logging:`, the gateway's own diagnostic log.
extension ConfigKeys {
    /// `logging:`, read into `LoggingSettings`.
    static let logging = ConfigSection<LoggingSettings>(
        "logging",
        keys: [
            ConfigKey(
                "logging.level",
                type: "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`",
                default: "`info`",
                meaning: "Minimum level logged.",
                read: .choice(\.level, options: LoggingSettings.levels)),
            ConfigKey(
                "logging.status_interval", type: "duration, whole seconds, 0s…1d", default: "`10s`",
                meaning: "Time between status lines; `0s` disables them.",
                read: .seconds(\.statusIntervalSeconds, range: 0...day)),
        ])
}
