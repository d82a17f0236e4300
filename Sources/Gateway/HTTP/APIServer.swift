import Dispatch
import Hummingbird
import Logging
import Synchronization
import Telemetry
import TelemetryIndex

/// The HTTP API server (Hummingbird 2) on a task of its own, beside the engine's threads.
/// `start` returns once it listens (or throws why it cannot); `stop` closes it.
final class APIServer: Sendable {
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let routes: APIRoutes
    private let settings: HTTPSettings
    private let token: String?
    private let logger: Logger

    init(settings: HTTPSettings, token: String?, routes: APIRoutes, logger: Logger) {
        self.settings = settings
        self.token = token
        self.routes = routes
        self.logger = logger
    }

    /// Listens on `http.listen`; throws when the address cannot be bound.
    func start() throws {
        let router = Router()
        if let token { router.add(middleware: BearerTokenMiddleware(token: Array(token.utf8))) }
        routes.register(on: router)
        let started = DispatchSemaphore(value: 0)
        let failure = StartFailure()
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: router, configuration: .init(address: .hostname(settings.host, port: settings.port)),
            onServerRunning: { _ in started.signal() }, logger: quiet)
        let address = "\(settings.host):\(settings.port)"
        let logger = self.logger
        task.withLock {
            $0 = Task {
                do {
                    try await app.run()
                } catch {
                    failure.error.withLock { $0 = error }
                    logger.error("the HTTP API on \(address) stopped: \(error)")
                    started.signal()
                }
            }
        }
        started.wait()
        if let error = failure.error.withLock({ $0 }) {
            throw ServerError(message: "cannot serve the HTTP API on \(address): \(error)")
        }
        logger.info("HTTP API listening on http://\(address)\(token == nil ? "" : " (bearer token required)")")
    }

    /// Stops listening and waits for the server task to end.
    func stop() {
        guard let running = task.withLock({ $0 }) else { return }
        running.cancel()
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = await running.result
            done.signal()
        }
        done.wait()
    }

    /// Why the server task ended before it listened, handed to `start`.
    private final class StartFailure: Sendable {
        let error = Mutex<(any Error)?>(nil)
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
