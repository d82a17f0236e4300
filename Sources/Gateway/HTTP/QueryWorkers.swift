import Foundation
import Synchronization
import Telemetry

/// The threads that run the API's queries and listings: synchronous SQLite reads and their
/// rendering, kept off the Swift concurrency pool (one thread per core, serving every request)
/// and at background priority (`ThreadPriority`), so that a loop of queries yields the cores
/// to ingestion. Jobs beyond the threads wait in order; `http.max_concurrent_queries` bounds
/// the queries among them.
final class QueryWorkers: Sendable {
    /// The process's workers, started on first use and kept for its lifetime.
    static let shared = QueryWorkers(threads: 4)

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(threads: Int) {
        for number in 1...threads {
            let thread = Thread { [self] in
                ThreadPriority.lowerCurrentThread()
                while true {
                    waiting.wait()
                    guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    job()
                }
            }
            thread.name = "api-query-\(number)"
            thread.start()
        }
    }

    /// Runs `body` on a worker and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append { continuation.resume(with: Result { try body() }) } }
            waiting.signal()
        }
    }
}
