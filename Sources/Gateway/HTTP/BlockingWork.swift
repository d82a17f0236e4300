import Dispatch

/// Runs synchronous, possibly slow work (SQLite reads) on a Dispatch thread instead of the
/// Swift concurrency pool, whose few threads (one per core) serve every request.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
