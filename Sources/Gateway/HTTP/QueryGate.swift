import Synchronization

/// Caps the queries running at once: a query beyond the cap is refused at once (503) rather
/// than queued, so a burst cannot pile up work or memory.
final class QueryGate: Sendable {
    private let running = Mutex(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Runs `body` if a slot is free; nil when all are taken.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T? {
        let admitted = running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { running.withLock { $0 -= 1 } }
        return try await body()
    }
}
