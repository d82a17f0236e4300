import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads at background priority (`ThreadPriority.background`) that run jobs
/// in arrival order: for work that can wait while ingestion has the cores (API queries, a
/// query's shared scan). Dedicated threads, not Swift's concurrency pool (one thread per core,
/// which a blocking SQLite read would hold) nor Dispatch's (whose threads a lowered priority
/// would outlive the job on). The threads start at once and live as long as the process.
public final class BackgroundThreads: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    /// Starts `count` threads named `name-1` … `name-count`.
    public init(count: Int, name: String) {
        for number in 1...max(1, count) {
            let thread = Thread { [self] in
                ThreadPriority.lowerCurrentThread()
                while true {
                    waiting.wait()
                    guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    job()
                }
            }
            thread.name = "\(name)-\(number)"
            thread.start()
        }
    }

    /// Queues `job` for the next free thread.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }
}
