import Foundation
import Testing

/// A gateway started on the data directory of a crashed run that a power cut (or an operator
/// restoring files) left damaged — a stale checkpoint, a torn line at the end of the rollup log,
/// a write-ahead ring whose index claims records that never reached the disk — repairs each with
/// a log line, needs no manual step, and still counts every reading exactly once.
@Suite("Damaged data directory", .serialized)
struct DamagedDataDirectoryTests {
    @Test func staleCheckpointTornRollupAndTornRingAreRepairedWithoutLoss() throws {
        let directory = try TestPaths.makeScratchDirectory("damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let broker = try MosquittoBroker(directory: directory)
        let clientID = "it-damaged-\(getpid())"
        var gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        let data = gateway.dataDirectory

        let ledgerURL = directory.appendingPathComponent("ledger.jsonl")
        let simulator = try ChildProcess(try TestPaths.binary("sensors-sim"), [
            "--port", "\(broker.port)", "--seed", "31", "--devices", "30", "--rate", "800", "--count", "8000",
            "--shapes", "ts,array", "--ledger", ledgerURL.path, "--drain-timeout", "30s",
        ], logURL: directory.appendingPathComponent("sim.log"))

        // A checkpoint from early in the run, then enough time for newer ones to free the ring past it.
        try gateway.waitForMessages(1_500, timeout: 60)
        let checkpoint = data.appendingPathComponent("checkpoint")
        let staleCheckpoint = try Data(contentsOf: checkpoint)
        try gateway.waitForMessages(4_000, timeout: 60)
        gateway.child.signal(SIGKILL)
        _ = try gateway.child.waitForExit(timeout: 10)
        #expect(try Data(contentsOf: checkpoint) != staleCheckpoint, "no checkpoint was taken after the copy")

        // The damage.
        try staleCheckpoint.write(to: checkpoint)
        let rollupLog = data.appendingPathComponent("rollups/rollups.jsonl")
        let rollupHandle = try FileHandle(forWritingTo: rollupLog)
        try rollupHandle.seekToEnd()
        try rollupHandle.write(contentsOf: Data(#"{"tier":"10s","start":"2026-11-22T00:1"#.utf8))
        try rollupHandle.close()
        let tornRingBytes = try Self.claimUnwrittenRingRecords(data.appendingPathComponent("ingest.ring"), bytes: 4_096)

        gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: clientID)
        let log = gateway.child.output
        #expect(log.contains("dropped \(tornRingBytes) bytes at the end of the write-ahead ring"), "\(log.suffix(3000))")
        #expect(log.contains("is older than the write-ahead ring's free position"), "\(log.suffix(3000))")
        #expect(log.contains("the records in between are still intact and are replayed"), "\(log.suffix(3000))")
        #expect(log.contains("of the rollups log written after the last checkpoint"), "\(log.suffix(3000))")
        #expect(log.contains("recovery: restored the checkpoint"), "\(log.suffix(3000))")

        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try SimulatorLedger(url: ledgerURL)
        try waitUntil(timeout: 60, "gateway accepted \(gateway.status()?["readings_accepted"] ?? "no") of \(ledger.acceptedReadings) readings") {
            (gateway.status()?["readings_accepted"] as? Int ?? 0) >= ledger.acceptedReadings
        }
        #expect(try gateway.stop() == 0)
        #expect(gateway.status()?["readings_accepted"] as? Int == ledger.acceptedReadings)

        let rollups = try RollupRecords(directory: data.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let counted = tenSecond.values.reduce(0) { $0 + $1.count }
        #expect(counted == ledger.acceptedReadings, "lost or double-counted: \(counted) counted, \(ledger.acceptedReadings) published")
        let differing = ledger.tenSecondWindows.filter { key, expected in !(tenSecond[key]?.differences(from: expected).isEmpty ?? false) }
        #expect(differing.isEmpty, "\(differing.count) windows differ, e.g. \(differing.prefix(3).map(\.key))")
    }

    /// Makes the ring file's write index claim `bytes` more than it holds and fills them with
    /// garbage, as when the index's page reached the disk before the records' pages.
    /// Returns `bytes`. Layout: write index at byte 0, capacity at byte 656, data from byte 768.
    private static func claimUnwrittenRingRecords(_ url: URL, bytes: Int) throws -> Int {
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
        return bytes
    }
}
