import Foundation
import Logging
import Testing

@testable import Gateway

@Suite("Stall watchdog")
struct StallWatchdogTests {
    @Test func aStallIsLoggedWithItsPhaseAndSoIsTheRecovery() {
        let log = LogLines()
        let watchdog = StallWatchdog(
            dataDirectory: "/srv/telemetry", logger: log.logger,
            stallMillis: 1_000, repeatMillis: 60_000, checkMillis: 50)
        watchdog.start()
        // Progress: a mark every 20 ms for 0.6 s is no stall, even on a busy machine.
        for _ in 0..<30 {
            watchdog.mark(.ingesting)
            usleep(20_000)
        }
        #expect(log.all.isEmpty)
        watchdog.mark(.checkpointing)
        usleep(1_800_000)
        let stalled = log.all
        #expect(stalled.count == 1, "\(stalled)")
        #expect(
            stalled.first?.hasPrefix("warning: pipeline stalled for 1 s while writing the checkpoint in /srv/telemetry") == true,
            "\(stalled)")
        for _ in 0..<10 {
            watchdog.mark(.ingesting)
            usleep(20_000)
        }
        watchdog.stop()
        #expect(log.all.count == 2, "\(log.all)")
        #expect(log.all.last?.hasPrefix("notice: pipeline moving again after a stall") == true, "\(log.all)")
    }
}
