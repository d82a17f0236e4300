import Testing

@testable import Telemetry

/// Simulated power cuts of the write-ahead ring on its own.
@Suite("Simulated power cuts of the ring")
struct PowerCutRingTests {
    /// Records a killed process published but never synced are synced by the next process as it
    /// opens the ring, before anything is added behind them: a power cut after that keeps them.
    @Test func recordsLeftUnsyncedByAKilledProcessAreSyncedWhenTheRingIsReopened() throws {
        var lost = 0
        for seed in UInt64(1)...100 {
            let fileSystem = PowerCutFileSystem(seed: seed, writebackOdds: 0)
            do {
                let ring = try MessageRing.openFile(
                    atPath: "/ring", capacityBytes: 64 * 1024, sync: .periodic,
                    fileSystem: fileSystem)
                let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 200)
                for index in 0..<100 {
                    payload.withUnsafeBytes { bytes in
                        _ = ring.tryPush(
                            topic: UnsafeRawBufferPointer(start: nil, count: 0), payload: bytes,
                            receivedAtNanos: Int64(index))
                    }
                }
                fileSystem.interrupt(.processCrash, atEvent: fileSystem.events + 1)
                fileSystem.step()
            }
            fileSystem.restart()
            _ = try MessageRing.openFile(atPath: "/ring", capacityBytes: 64 * 1024, sync: .periodic, fileSystem: fileSystem)
            fileSystem.cutPower()
            fileSystem.restart()
            let reopened = try MessageRing.openFile(
                atPath: "/ring", capacityBytes: 64 * 1024, sync: .periodic,
                fileSystem: fileSystem)
            if reopened.consume(maxMessages: .max, { _ in }) != 100 { lost += 1 }
        }
        #expect(lost == 0, "\(lost) of 100 power cuts lost records a killed process had left to the next one")
    }
}
