import Synchronization
import Telemetry

/// Threads that scan part of a large query's series beside the thread running the query, so
/// that a query touching tens of thousands of rows uses both cores of a small gateway. They run
/// at background priority, as the query threads do, so ingestion keeps the cores first. Two:
/// one more than the query thread already busy on a two-core machine.
final class ScanHelpers: Sendable {
    /// The process's helpers, started on first use and kept for its lifetime.
    static let shared = ScanHelpers()

    private let threads = BackgroundThreads(count: 2, name: "query-scan")
    private let scanned = Atomic(0)

    /// Shares a helper ran (not those the query took back), since the process started.
    var sharesScanned: Int { scanned.load(ordering: .relaxed) }

    /// Queues `share` for the next free helper.
    func offer<Value>(_ share: ScanShare<Value>) {
        threads.submit { [self] in
            if share.runIfOffered() { scanned.wrappingAdd(1, ordering: .relaxed) }
        }
    }
}
