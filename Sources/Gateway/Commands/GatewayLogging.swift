import Logging

/// Sets up swift-log for the gateway: human-readable lines on standard error.
enum GatewayLogging {
    /// Bootstraps the logging system once and returns the gateway's logger at `level`
    /// (a level name from the config: trace, debug, info, notice, warning, error, critical).
    static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: "gateway")
    }
}
