import Atomics
import Foundation
import Logging
import Telemetry

/// Notices when the pipeline thread stops making progress and says so in the log.
///
/// The pipeline thread writes the logs, the checkpoint, the ring's msync and status.json itself,
/// so storage that stops answering (a frozen or dying disk, a hung network mount) stops it in a
/// system call: no status line, no error, just silence while the ring fills and the broker holds
/// messages back. This thread touches no storage; it logs the stall after `stallMillis` (5 s),
/// again every `repeatMillis` (30 s) while it lasts, and once more when the pipeline moves again.
///
/// Thread safety: the pipeline thread only stores into the two atomics (`mark`); everything
/// else is touched by the watchdog thread alone. Hence `@unchecked Sendable` is sound.
final class StallWatchdog: @unchecked Sendable {
    /// No progress for this long is a stall.
    private let stallMillis: Int64
    /// While a stall lasts, it is logged again this often.
    private let repeatMillis: Int64
    /// How often the watchdog looks.
    private let checkMillis: Int
    private let dataDirectory: String
    private let logger: Logger
    private let markedAtMillis = ManagedAtomic<Int64>(0)
    private let phase = ManagedAtomic<Int>(EnginePhase.ingesting.rawValue)
    private let stopping = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)

    init(
        dataDirectory: String, logger: Logger,
        stallMillis: Int64 = 5_000, repeatMillis: Int64 = 30_000, checkMillis: Int = 1_000
    ) {
        self.stallMillis = stallMillis
        self.repeatMillis = repeatMillis
        self.checkMillis = checkMillis
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    /// Pipeline thread: it is about to start `phase`. Two relaxed stores and a clock read.
    func mark(_ phase: EnginePhase) {
        self.phase.store(phase.rawValue, ordering: .relaxed)
        markedAtMillis.store(Self.nowMillis(), ordering: .relaxed)
    }

    func start() {
        mark(.ingesting)
        let thread = Thread { [self] in
            watch()
            ended.signal()
        }
        thread.name = "stall watchdog"
        thread.start()
    }

    /// Ends the watchdog thread and waits for it.
    func stop() {
        stopping.signal()
        ended.wait()
    }

    private func watch() {
        var reportedMillis: Int64 = 0
        var stalledSince: Int64 = 0
        while stopping.wait(timeout: .now() + .milliseconds(checkMillis)) == .timedOut {
            let marked = markedAtMillis.load(ordering: .relaxed)
            let now = Self.nowMillis()
            let current = EnginePhase(rawValue: phase.load(ordering: .relaxed)) ?? .ingesting
            if now - marked >= stallMillis {
                if stalledSince != marked || now - reportedMillis >= repeatMillis {
                    logger.warning(
                        """
                        pipeline stalled for \((now - marked) / 1_000) s while \(current.description) in \(dataDirectory): \
                        storage is not answering; the gateway takes no new messages meanwhile and the broker keeps \
                        them; status.json is not updated
                        """)
                    stalledSince = marked
                    reportedMillis = now
                }
            } else if stalledSince != 0 {
                logger.notice("pipeline moving again after a stall of about \((marked - stalledSince) / 1_000) s")
                stalledSince = 0
            }
        }
    }

    private static func nowMillis() -> Int64 {
        WallClock.millis()
    }
}
