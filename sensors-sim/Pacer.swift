/// Paces publishing to a target rate by elapsed time: message `i` is due `i / rate` seconds after
/// the start, and the loop sleeps only when it is ahead of that schedule. No sleep per message,
/// so rates far above the sleep granularity (50k+ msg/s) are reachable.
///
/// When the loop falls more than one second behind (a stall, a full in-flight window), the
/// schedule restarts from now instead of bursting to catch up.
struct Pacer: Sendable {
    /// Target messages per second; 0 means as fast as possible.
    let rate: Double
    private var originNanoseconds: UInt64
    private var originIndex = 0
    private static let maxSleepNanoseconds: UInt64 = 50_000_000
    private static let maxLagNanoseconds: UInt64 = 1_000_000_000

    /// Starts the schedule at `startNanoseconds` on the monotonic clock.
    init(rate: Double, startNanoseconds: UInt64) {
        self.rate = rate
        originNanoseconds = startNanoseconds
    }

    /// Nanoseconds after the origin at which message `index` is due.
    func dueOffset(of index: Int) -> UInt64 {
        UInt64(Double(index - originIndex) * 1e9 / rate)
    }

    /// Returns when message `index` is due, or earlier once `stop` is requested or the monotonic
    /// clock passes `deadline`.
    mutating func waitForTurn(_ index: Int, stop: StopSignal, deadline: UInt64?) {
        guard rate > 0 else { return }
        while !stop.isRequested {
            let now = SystemClock.monotonicNanoseconds()
            let due = originNanoseconds + dueOffset(of: index)
            if now >= due {
                if now - due > Self.maxLagNanoseconds {
                    originNanoseconds = now
                    originIndex = index
                }
                return
            }
            if let deadline, now >= deadline { return }
            SystemClock.sleep(nanoseconds: min(due - now, Self.maxSleepNanoseconds))
        }
    }
}
