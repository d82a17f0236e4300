import Foundation
import Testing

/// A gateway started on the data directory of a crashed run that a power cut (or an operator
/// restoring files) left damaged — a stale checkpoint, a torn line at the end of the rollup log,
/// a write-ahead ring whose index claims records that never reached the disk — repairs each with
/// a log line, needs no manual step, and still counts every reading exactly once.
@Suite("Damaged data directory", .serialized)
struct DamagedDataDirectoryTests {
    @Test func staleCheckpointTornRollupAndTornRingAreRepairedWithoutLoss() throws {
        var staleCheckpoint = Data()
        try crashDamageAndRecover(
            "stale",
            duringRun: { data in staleCheckpoint = try Data(contentsOf: data.appendingPathComponent("checkpoint")) },
            damage: { data in
                let checkpoint = data.appendingPathComponent("checkpoint")
                #expect(try Data(contentsOf: checkpoint) != staleCheckpoint, "no checkpoint was taken after the copy")
                try staleCheckpoint.write(to: checkpoint)
                let rollupHandle = try FileHandle(forWritingTo: data.appendingPathComponent("rollups/rollups.jsonl"))
                try rollupHandle.seekToEnd()
                try rollupHandle.write(contentsOf: Data(#"{"tier":"10s","start":"2026-11-22T00:1"#.utf8))
                try rollupHandle.close()
                try Self.claimUnwrittenRingRecords(data.appendingPathComponent("ingest.ring"), bytes: 4_096)
            },
            expectedLog: [
                "dropped 4096 bytes at the end of the write-ahead ring",
                "is older than the write-ahead ring's free position",
                "the records in between are still intact and are replayed",
                "of the rollups log written after the last checkpoint",
            ])
    }

    @Test func aDamagedCheckpointFallsBackToTheOneBeforeIt() throws {
        try crashDamageAndRecover(
            "corrupt",
            duringRun: { _ in },
            damage: { data in
                let checkpoint = data.appendingPathComponent("checkpoint")
                var bytes = try Data(contentsOf: checkpoint)
                bytes[bytes.count / 2] ^= 0x40
                try bytes.write(to: checkpoint)
            },
            expectedLog: [
                "checksum mismatch: the file is damaged; using the checkpoint before it",
                "the records in between are still intact and are replayed",
            ])
    }

    /// Runs broker, gateway and a simulator with a ledger; calls `duringRun` a third of the way
    /// in, kills the gateway with SIGKILL two thirds of the way in, applies `damage` to its data
    /// directory, restarts it, checks its log for each of `expectedLog`, and at the end checks
    /// that the merged 10 s rollups count every published reading exactly once.
    private func crashDamageAndRecover(
        _ label: String, duringRun: (URL) throws -> Void, damage: (URL) throws -> Void,
        expectedLog: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let bed = try BrokerTestBed("damaged-\(label)")
        let (directory, broker) = (bed.directory, bed.broker)
        let clientID = "it-damaged-\(label)-\(getpid())"
        var gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        let data = gateway.dataDirectory

        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "31", "--devices", "30", "--rate", "800", "--count", "8000",
                "--shapes", "ts,array", "--drain-timeout", "30s",
            ])

        // Checkpoints come every 2 s: the one at the kill is newer than any seen at 1,500 messages.
        try gateway.waitForMessages(1_500, timeout: 60)
        try duringRun(data)
        try gateway.waitForMessages(4_000, timeout: 60)
        gateway.child.signal(SIGKILL)
        _ = try gateway.child.waitForExit(timeout: 10)
        try damage(data)

        gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        let log = gateway.child.output
        for line in expectedLog + ["recovery: restored the checkpoint"] {
            #expect(log.contains(line), "no \"\(line)\" in:\n\(log.suffix(3000))", sourceLocation: sourceLocation)
        }

        #expect(
            try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)", sourceLocation: sourceLocation
        )
        let ledger = try simulator.ledger()
        try gateway.waitForReadings(ledger.acceptedReadings)
        #expect(try gateway.stop() == 0, sourceLocation: sourceLocation)
        #expect(gateway.status()?["readings_accepted"] as? Int == ledger.acceptedReadings, sourceLocation: sourceLocation)

        let rollups = try RollupRecords(directory: data.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let counted = tenSecond.values.reduce(0) { $0 + $1.count }
        #expect(
            counted == ledger.acceptedReadings,
            "lost or double-counted: \(counted) counted, \(ledger.acceptedReadings) published",
            sourceLocation: sourceLocation)
        let differing = ledger.tenSecondWindows.filter { key, expected in
            !(tenSecond[key]?.differences(from: expected).isEmpty ?? false)
        }
        #expect(
            differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))",
            sourceLocation: sourceLocation)
    }

    /// Makes the ring file's write index claim `bytes` more than it holds and fills them with
    /// garbage, as when the index's page reached the disk before the records' pages.
    /// Layout: write index at byte 0, capacity at byte 656, data from byte 768.
    private static func claimUnwrittenRingRecords(_ url: URL, bytes: Int) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        func readInt(at offset: UInt64) throws -> Int {
            try handle.seek(toOffset: offset)
            let raw = try #require(try handle.read(upToCount: 8))
            return raw.withUnsafeBytes { $0.loadUnaligned(as: Int.self) }
        }
        let written = try readInt(at: 0)
        let capacity = try readInt(at: 656)
        let offset = written & (capacity - 1)
        #expect(offset + bytes <= capacity, "the ring would wrap; use a larger ring in this test")
        var garbage = SystemRandomNumberGenerator()
        try handle.seek(toOffset: UInt64(768 + offset))
        try handle.write(contentsOf: Data((0..<bytes).map { _ in UInt8.random(in: 1...255, using: &garbage) }))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: withUnsafeBytes(of: written + bytes) { Data($0) })
    }
}
