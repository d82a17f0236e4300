import Foundation
import Testing

/// A data directory whose disk stops answering for seconds (`fsfreeze` on a loop-mounted ext4:
/// every write, fsync and first store into a clean mapped page blocks until it is thawed): the
/// gateway must stop reading from the broker instead of buffering, keep its memory where it
/// was, and once the disk answers again count every reading exactly once.
@Suite("Slow disk", .serialized)
struct SlowDiskTests {
    /// Making and freezing a file system needs root (CI runs as root) and util-linux/e2fsprogs.
    static let canFreeze =
        getuid() == 0 && SystemTool.path("mount") != nil && SystemTool.path("umount") != nil
        && SystemTool.path("mkfs.ext4") != nil && SystemTool.path("fsfreeze") != nil

    static let ringBytes = 1 << 20
    /// Longer than the default allowed lateness (5 s), as a slow disk can be: the readings the
    /// broker queues meanwhile must still be counted, not taken for late.
    static let stallSeconds = 8.0

    @Test(.enabled(if: canFreeze, "needs root, mkfs.ext4 and fsfreeze to freeze a loop-mounted ext4"))
    func fsyncStallKeepsMemoryBoundedAndLosesNothing() throws {
        let directory = try TestPaths.makeScratchDirectory("slowdisk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let disk = try FreezableDisk(image: directory.appendingPathComponent("data.ext4"), mountPoint: data)
        // Runs last: thaws if still frozen, unmounts, deletes the image.
        defer { disk.remove() }

        let broker = try MosquittoBroker(directory: directory)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-slowdisk-\(getpid())",
            ingestYAML: ["ring_size: 1MiB"])
        defer {
            // A process blocked on a frozen file system cannot be killed, and a mounted file
            // system with open files cannot be unmounted: thaw, then kill, then (above) unmount.
            disk.thaw()
            if gateway.child.process.isRunning {
                gateway.child.signal(SIGKILL)
                _ = try? gateway.child.waitForExit(timeout: 10)
            }
        }
        let pid = gateway.child.process.processIdentifier

        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            [
                "--seed", "31", "--devices", "40", "--rate", "4000", "--count", "60000",
                "--shapes", "ts,array", "--drain-timeout", "60s",
                "--fault-malformed", "1", "--fault-out-of-range", "1",
            ])

        // 8,000 messages are ≈ 2 MB of ring records: the 1 MiB ring has wrapped, so every page of
        // its mapping is resident and already part of the baseline below.
        try gateway.waitForMessages(8_000, timeout: 60)
        let socket = try #require(
            BrokerSocket(pid: pid, brokerPort: broker.port), "no TCP connection from the gateway to the broker")
        let before = try #require(ProcessMemory(pid: pid))
        let logBytesBefore = gateway.child.output.utf8.count

        try disk.freeze()
        let frozenAt = Date()
        var peakRSS = before.rss
        var unread: [(seconds: Double, bytes: Int)] = []
        while Date().timeIntervalSince(frozenAt) < Self.stallSeconds {
            usleep(100_000)
            if let memory = ProcessMemory(pid: pid) { peakRSS = max(peakRSS, memory.rss) }
            if let bytes = socket.unreadBytes() { unread.append((Date().timeIntervalSince(frozenAt), bytes)) }
        }
        // What an operator saw meanwhile: the watchdog's warning, as the status line is silent.
        let loggedDuringStall = String(decoding: gateway.child.output.utf8.dropFirst(logBytesBefore), as: UTF8.self)
            .split(separator: "\n")
        #expect(
            loggedDuringStall.contains { $0.contains("pipeline stalled for") && $0.contains(data.path) },
            "no stall warning during the stall:\n\(loggedDuringStall.joined(separator: "\n"))")
        let threadsBlocked = ProcessMemory.blockedThreads(pid: pid)
        let statusAge = (gateway.status()?["updated"] as? String).flatMap(Self.date).map { Date().timeIntervalSince($0) }
        let thawedAt = Date()
        disk.thaw()

        // Bound: the pre-stall RSS (ring mapping included, see above) + the ring's size again (in
        // case some ring page was not resident yet) + 2 MiB of allocator slack (observed growth
        // over a whole run: < 0.3 MiB before gauge records carried quantile sketches, up to
        // 2.2 MiB through the catch-up since, not yet attributed). A gateway that kept reading
        // the broker during the stall would hold the backlog: ≈ 30,000 messages, about 5 MB of
        // payloads alone (checked below from the ledger to exceed the slack), so it could not
        // stay within the bound.
        let slack = Self.ringBytes + (2 << 20)
        #expect(peakRSS <= before.rss + slack, "RSS grew from \(before.rss) to \(peakRSS) bytes during the stall")

        // The network thread stopped reading: over the stall's last 2 s, the bytes waiting in the
        // gateway's socket did not change (the broker's in-flight window and its queue hold the
        // rest), and there were some — the broker kept sending until the window was full.
        let lastSeconds = unread.filter { $0.seconds >= Self.stallSeconds - 2 }
        #expect((lastSeconds.last?.seconds ?? 0) - (lastSeconds.first?.seconds ?? 0) >= 1, "too few socket samples: \(unread)")
        #expect(
            Set(lastSeconds.map(\.bytes)).count == 1 && (lastSeconds.first?.bytes ?? 0) > 0,
            "the gateway kept reading from the broker during the stall: unread bytes \(lastSeconds.map(\.bytes))")

        #expect(try simulator.waitForExit(timeout: 120) == 0, "simulator failed:\n\(simulator.output)")
        let ledger = try simulator.ledger()
        #expect(ledger.messages == 60_000)
        let backlog = try Self.publishedBetween(simulator.ledgerURL, from: frozenAt, to: thawedAt)
        #expect(
            backlog.bytes > slack,
            "the stall's backlog (\(backlog.messages) messages, \(backlog.bytes) bytes) is too small for the memory bound to mean anything"
        )

        // Catching up pushes the backlog through the 1 MiB ring: the same bound holds, from the
        // peak before the stall.
        try gateway.waitForMessages(ledger.messages, timeout: 120)
        let after = try #require(ProcessMemory(pid: pid))
        #expect(after.hwm <= before.hwm + slack, "peak RSS \(after.hwm) bytes while catching up, \(before.hwm) before the stall")
        try gateway.stopAfterIngesting(ledger)

        let status = try #require(gateway.status())
        // back_pressure_ns counts the MQTT thread's waits for ring space. During the freeze the
        // thread is blocked in the kernel instead (its next store into the ring's mapping waits
        // for the file system; not counted, which is why the socket is checked above); the waits
        // come while catching up, when the broker's backlog arrives faster than the pipeline
        // frees the 1 MiB ring.
        let backPressure = status["back_pressure_ns"] as? Int ?? 0
        #expect(backPressure > 0, "the MQTT thread never waited for the 1 MiB ring")
        #expect(status["storage_failing"] as? Bool == false)
        #expect(
            !gateway.child.output.contains("cannot write"), "a stall is not a write error:\n\(gateway.child.output.suffix(2000))")

        // Nothing lost, nothing duplicated, no torn line: every file parses and every figure matches.
        let rollups = try RollupRecords(directory: data.appendingPathComponent("rollups"))
        let tenSecond = rollups.windows.filter { $0.key.hasPrefix("10s|") && $0.value.count > 0 }
        let counted = tenSecond.values.reduce(0) { $0 + $1.count }
        #expect(
            counted == ledger.acceptedReadings, "lost or double-counted: \(counted) counted, \(ledger.acceptedReadings) published"
        )
        let differing = ledger.tenSecondWindows.filter { key, expected in
            !(tenSecond[key]?.differences(from: expected).isEmpty ?? false)
        }
        .keys.sorted()
        #expect(
            differing.count == 0,
            """
            \(differing.count) windows differ, e.g. \(differing.prefix(3).map { "\($0): \(tenSecond[$0]?.differences(from: ledger.tenSecondWindows[$0]!) ?? ["missing"])" }); \
            quarantined \(status["quarantined"] ?? "?")
            """)
        let quarantine = try EndToEndTests.quarantineEntries(data.appendingPathComponent("quarantine"))
        let expectedQuarantine = ledger.quarantine.sorted()
        let quarantineMatches = quarantine == expectedQuarantine
        #expect(
            quarantineMatches,
            """
            quarantine differs: \(quarantine.count) records, \(expectedQuarantine.count) expected; \
            unexpected e.g. \(quarantine.filter { !expectedQuarantine.contains($0) }.prefix(3))
            """)

        print(
            """
            slow disk: stall \(String(format: "%.1f", thawedAt.timeIntervalSince(frozenAt))) s, backlog \(backlog.messages) messages \
            (\(backlog.bytes) payload bytes); RSS before \(before.rss / 1024) KiB, peak during stall \(peakRSS / 1024) KiB, \
            peak through catch-up \(after.hwm / 1024) KiB; unread socket bytes at end of stall \(lastSeconds.last?.bytes ?? -1) (\(unread.count) samples); \
            threads blocked on the frozen disk \(threadsBlocked); status.json \(statusAge.map { String(format: "%.1f", $0) } ?? "?") s old \
            at its end; back-pressure \(backPressure / 1_000_000) ms; \(loggedDuringStall.count) log lines during the stall\
            \(loggedDuringStall.suffix(5).map { "\n  " + $0 }.joined())
            """)
    }

    /// A status.json timestamp (`2026-11-22T02:34:16.201Z`) as a date.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Messages of the ledger whose first reading's event time (the simulator's clock when it
    /// published) falls within `[from, to]`, and their payload bytes.
    static func publishedBetween(_ url: URL, from: Date, to: Date) throws -> (messages: Int, bytes: Int) {
        let start = Int64(from.timeIntervalSince1970 * 1000), end = Int64(to.timeIntervalSince1970 * 1000)
        var messages = 0, bytes = 0
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            guard let message = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let readings = message["readings"] as? [[String: Any]],
                let ts = (readings.first?["ts"] as? NSNumber)?.int64Value, ts >= start, ts <= end
            else { continue }
            messages += 1
            bytes += (message["payload"] as? String)?.utf8.count ?? 0
        }
        return (messages, bytes)
    }
}
