import Foundation
import Testing

/// Storage that refuses writes: the gateway must stop taking messages (back-pressure), say so,
/// and resume by itself without losing or corrupting anything.
@Suite("Storage faults", .serialized)
struct StorageFaultTests {
    /// Mounting a small tmpfs needs root (CI runs as root).
    static let canMount = getuid() == 0 && SystemTool.path("mount") != nil && SystemTool.path("umount") != nil

    /// Writes zeros to `url` until the file system is full; returns the bytes written.
    private func fill(_ url: URL) -> Int {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4_096)
        var total = 0
        while true {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return total }
            total += written
        }
    }

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func diskFullStopsIngestAndResumesWithoutLoss() throws {
        let directory = try TestPaths.makeScratchDirectory("diskfull")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try SystemTool.run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", data.path])
        defer { try? SystemTool.run("umount", [data.path]) }

        let broker = try MosquittoBroker(directory: directory)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-diskfull-\(getpid())",
            ingestYAML: ["ring_size: 1MiB"])
        let filler = data.appendingPathComponent("filler")
        #expect(fill(filler) > 0)

        // Malformed payloads make quarantine lines at once, so the full disk is hit at the first flush.
        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "11", "--devices", "60", "--rate", "5000", "--count", "20000",
                "--shapes", "ts,array", "--fault-malformed", "5",
            ])
        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try simulator.ledger()

        try waitUntil(timeout: 30, "the gateway never reported the full disk:\n\(gateway.child.output.suffix(2000))") {
            gateway.child.output.contains("cannot write \(data.path)/quarantine/quarantine.jsonl")
        }
        try waitUntil(timeout: 30, "the status line never showed the storage failure") {
            gateway.child.output.contains("storage FAILING")
        }
        // While the disk is full the gateway takes nothing more: far fewer messages than published.
        let stalled = gateway.status()?["messages"] as? Int ?? 0
        #expect(stalled < ledger.messages)

        try FileManager.default.removeItem(at: filler)
        try gateway.waitForMessages(ledger.messages, timeout: 120)
        #expect(try gateway.stop() == 0)
        #expect(gateway.child.output.contains("works again"))

        let status = try #require(gateway.status())
        #expect(status["readings_accepted"] as? Int == ledger.acceptedReadings)
        #expect((status["back_pressure_ns"] as? Int ?? 0) > 0, "the MQTT thread never had to wait for the 1 MiB ring")
        #expect(status["storage_failing"] as? Bool == false)

        // Nothing lost, nothing duplicated, no torn line: every file parses and every figure matches.
        let rollups = try RollupRecords(directory: data.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        #expect(tenSecond.values.reduce(0) { $0 + $1.count } == ledger.acceptedReadings)
        let differing = ledger.tenSecondWindows.filter { key, expected in
            !(tenSecond[key]?.differences(from: expected).isEmpty ?? false)
        }
        #expect(differing.isEmpty, "\(differing.count) windows differ")
        #expect(try EndToEndTests.quarantineEntries(data.appendingPathComponent("quarantine")) == ledger.quarantine.sorted())
    }
}
