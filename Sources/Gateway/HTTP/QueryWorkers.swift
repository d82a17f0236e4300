import Telemetry

/// The threads that run the API's queries and listings: synchronous SQLite reads and their
/// rendering, kept off the Swift concurrency pool (one thread per core, serving every request)
/// and at background priority, so that a loop of queries yields the cores to ingestion. Jobs
/// beyond the threads wait in order; `http.max_concurrent_queries` bounds them.
enum QueryWorkers {
    /// The process's workers, started on first use and kept for its lifetime.
    private static let threads = BackgroundThreads(count: 4, name: "api-query")

    /// Runs `body` on a worker and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            threads.submit { continuation.resume(with: Result { try body() }) }
        }
    }
}
