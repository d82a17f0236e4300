import Foundation
import Testing

@testable import Telemetry

@Suite("SegmentedLog writer")
struct SegmentedLogTests {
    private let quiet = LogPolicy(maxSegmentBytes: 1 << 40, maxSegmentAgeMillis: 1 << 40, fsync: .never)

    @Test func buffersLinesUntilFlushAndAddsNewlines() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.file("nested/logs"), baseName: "rollups", policy: quiet, nowMillis: 0)
        try log.append(#"{"a":1}"#)
        try log.append(#"{"b":2}"#)
        #expect(try directory.contents("nested/logs/rollups.jsonl") == "")
        #expect(log.bufferedBytes == 16)
        try log.flush(nowMillis: 1)
        #expect(try directory.contents("nested/logs/rollups.jsonl") == "{\"a\":1}\n{\"b\":2}\n")
        #expect(log.bytesWritten == 16)
        #expect(log.currentSegmentBytes == 16)
        #expect(log.bufferedBytes == 0)
        #expect(log.path == directory.file("nested/logs/rollups.jsonl"))
        try log.close()
    }

    @Test func repairsTornTailAndAppendsCleanLine() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{\"b\":2}\n{\"c\":", to: "rollups.jsonl")
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(log.repairedTailBytes == 5)
        #expect(try directory.contents("rollups.jsonl") == "{\"a\":1}\n{\"b\":2}\n")
        try log.append(#"{"d":4}"#)
        try log.flush(nowMillis: 1)
        #expect(try directory.contents("rollups.jsonl") == "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n")
        try log.close()
    }

    @Test func repairsTornTailWithoutAnyNewlineToEmpty() throws {
        let directory = try LogScratchDirectory()
        try directory.write("partial", to: "rollups.jsonl")
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(log.repairedTailBytes == 7)
        #expect(try directory.contents("rollups.jsonl") == "")
        try log.close()
    }

    @Test func repairsTornTailLongerThanOneReadChunk() throws {
        let directory = try LogScratchDirectory()
        let kept = numberedLogLines(10).map { $0 + "\n" }.joined()
        try directory.write(kept + String(repeating: "y", count: 100_000), to: "rollups.jsonl")
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(log.repairedTailBytes == 100_000)
        #expect(try directory.contents("rollups.jsonl") == kept)
        try log.close()
    }

    @Test func keepsIntactFileAndAppendsAfterIt() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n", to: "rollups.jsonl")
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(log.repairedTailBytes == 0)
        #expect(log.currentSegmentBytes == 8)
        try log.append(#"{"b":2}"#)
        try log.close()
        #expect(try directory.contents("rollups.jsonl") == "{\"a\":1}\n{\"b\":2}\n")
    }

    @Test func refusesLineWithNewline() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(throws: LogError.lineContainsNewline(path: log.path, byteOffset: 3)) {
            try log.append("{\"a\n\":1}")
        }
        #expect(log.bufferedBytes == 0)
        try log.close()
        #expect(try directory.contents("rollups.jsonl") == "")
    }

    @Test func refusesInvalidBaseNames() {
        #expect(throws: LogError.invalidBaseName("")) {
            try SegmentedLog(directory: "/tmp", baseName: "", policy: quiet, nowMillis: 0)
        }
        #expect(throws: LogError.invalidBaseName("a/b")) {
            try SegmentedLog(directory: "/tmp", baseName: "a/b", policy: quiet, nowMillis: 0)
        }
    }

    @Test func secondWriterOnSameLogIsLockedOut() throws {
        let directory = try LogScratchDirectory()
        let first = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(throws: LogError.locked(path: first.path)) {
            try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        }
        try first.close()
        let second = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        try second.close()
    }

    @Test func writesBufferOnceItReachesLimit() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        let lines = numberedLogLines(67, width: 1000)
        for line in lines.prefix(65) { try log.append(line) }
        // 65 × 1001 = 65 065 bytes < 64 KiB: still buffered.
        #expect(log.bufferedBytes == 65_065)
        #expect(try directory.contents("rollups.jsonl").utf8.count == 0)
        // 66 066 bytes ≥ 64 KiB: written by this append.
        try log.append(lines[65])
        #expect(try directory.contents("rollups.jsonl").utf8.count == 66_066)
        #expect(log.bufferedBytes == 0)
        try log.append(lines[66])
        #expect(log.bufferedBytes == 1001)
        try log.close()
        #expect(try directory.contents("rollups.jsonl") == lines.map { $0 + "\n" }.joined())
    }

    @Test func rotatesBySizeWithSortedNamesAndEveryLineOnce() throws {
        let directory = try LogScratchDirectory()
        let policy = LogPolicy(maxSegmentBytes: 100, maxSegmentAgeMillis: 1 << 40, fsync: .always)
        let start: Int64 = 1_763_700_000_123
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: policy, nowMillis: start)
        // Exactly 9 bytes each: {"n":000} … {"n":024}.
        let lines = (0..<25).map { "{\"n\":" + String(String($0 + 1000).dropFirst()) + "}" }
        for (index, line) in lines.enumerated() {
            try log.append(line)
            if index % 3 == 2 || index == lines.count - 1 {
                try log.flush(nowMillis: start + Int64(index) * 1000)
            }
        }
        try log.close()
        #expect(log.rotationCount == 2)
        // Lines 1–12 reach 120 bytes at the flush after line 12 (index 11); lines 13–24 after line 24.
        #expect(
            try directory.names() == [
                "rollups-20251121T044011Z-000001.jsonl",
                "rollups-20251121T044023Z-000002.jsonl",
                "rollups.jsonl",
            ])
        let segments = try LogSegments(directory: directory.path, baseName: "rollups")
        let listed = try segments.list()
        #expect(listed.map(\.sequence) == [1, 2, nil])
        #expect(listed.map(\.rotatedAtMillis) == [1_763_700_011_000, 1_763_700_023_000, nil])
        #expect(listed.map(\.path) == (try directory.names()).map { directory.file($0) })
        #expect(try directory.contents("rollups-20251121T044011Z-000001.jsonl") == lines[0..<12].map { $0 + "\n" }.joined())
        #expect(try directory.contents("rollups-20251121T044023Z-000002.jsonl") == lines[12..<24].map { $0 + "\n" }.joined())
        #expect(try segments.readCompleteLines() == lines)
    }

    @Test func sequenceContinuesAfterRestartAndNamesNeverGoBackInTime() throws {
        let directory = try LogScratchDirectory()
        // A segment left by an earlier run, and files of other logs that must be ignored.
        try directory.write("{\"old\":1}\n", to: "rollups-19700101T001000Z-000041.jsonl")
        try directory.write("{\"other\":1}\n", to: "rollups-1m-19700101T002000Z-000099.jsonl")
        try directory.write("{\"other\":1}\n", to: "rollups-19700101T002000Z-x.jsonl")
        let policy = LogPolicy(maxSegmentBytes: 10, maxSegmentAgeMillis: 1 << 40, fsync: .never)
        let first = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: policy, nowMillis: 2_000_000)
        try first.append("{\"a\":1}")  // 8 bytes: below the limit, not rotated
        try first.flush(nowMillis: 2_000_000)
        try first.append("{\"b\":2}")  // 16 bytes: rotated
        try first.flush(nowMillis: 2_000_500)
        try first.close()
        // The clock stepped back across the restart.
        let second = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: policy, nowMillis: 1_000_000)
        try second.append("{\"c\":3}{\"pad\":0}")
        try second.flush(nowMillis: 1_000_000)
        try second.close()
        #expect(
            try directory.names() == [
                "rollups-19700101T001000Z-000041.jsonl",
                "rollups-19700101T002000Z-x.jsonl",
                "rollups-19700101T003320Z-000042.jsonl",
                "rollups-19700101T003320Z-000043.jsonl",
                "rollups-1m-19700101T002000Z-000099.jsonl",
                "rollups.jsonl",
            ])
        let lines = try LogSegments(directory: directory.path, baseName: "rollups").readCompleteLines()
        #expect(lines == ["{\"old\":1}", "{\"a\":1}", "{\"b\":2}", "{\"c\":3}{\"pad\":0}"])
    }

    @Test func rotatesByAgeWithInjectedClock() throws {
        let directory = try LogScratchDirectory()
        let policy = LogPolicy(maxSegmentBytes: 1 << 40, maxSegmentAgeMillis: 1000, fsync: .never)
        let log = try SegmentedLog(directory: directory.path, baseName: "quarantine", policy: policy, nowMillis: 0)
        try log.append("{\"a\":1}")
        try log.flush(nowMillis: 0)
        try log.flush(nowMillis: 999)
        #expect(log.rotationCount == 0)
        try log.flush(nowMillis: 1000)
        #expect(log.rotationCount == 1)
        // An empty segment is never rotated, and its age starts with the first flush that writes to it.
        try log.flush(nowMillis: 5000)
        #expect(log.rotationCount == 1)
        try log.append("{\"b\":2}")
        try log.flush(nowMillis: 5500)
        try log.flush(nowMillis: 6499)
        #expect(log.rotationCount == 1)
        try log.flush(nowMillis: 6500)
        #expect(log.rotationCount == 2)
        try log.close()
        #expect(
            try directory.names() == [
                "quarantine-19700101T000001Z-000001.jsonl",
                "quarantine-19700101T000006Z-000002.jsonl",
                "quarantine.jsonl",
            ])
        #expect(try directory.contents("quarantine-19700101T000006Z-000002.jsonl") == "{\"b\":2}\n")
        #expect(try directory.contents("quarantine.jsonl") == "")
    }

    @Test func fsyncAlwaysSyncsEveryFlushThatWrote() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: LogPolicy(fsync: .always), nowMillis: 0)
        #expect(log.fsyncCount == 0)
        try log.append("{\"a\":1}")
        try log.flush(nowMillis: 1)
        #expect(log.fsyncCount == 1)
        try log.flush(nowMillis: 2)
        #expect(log.fsyncCount == 1)
        try log.append("{\"b\":2}")
        try log.flush(nowMillis: 3)
        #expect(log.fsyncCount == 2)
        try log.sync()
        try log.close()
        #expect(log.fsyncCount == 2)
    }

    @Test func fsyncIntervalWaitsForInterval() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups",
            policy: LogPolicy(fsync: .interval(milliseconds: 1000)), nowMillis: 0)
        try log.append("{\"a\":1}")
        try log.flush(nowMillis: 0)
        try log.flush(nowMillis: 999)
        #expect(log.fsyncCount == 0)
        try log.flush(nowMillis: 1000)
        #expect(log.fsyncCount == 1)
        try log.append("{\"b\":2}")
        try log.flush(nowMillis: 1999)
        #expect(log.fsyncCount == 1)
        try log.flush(nowMillis: 2000)
        #expect(log.fsyncCount == 2)
        try log.append("{\"c\":3}")
        try log.sync()
        #expect(log.fsyncCount == 3)
        try log.close()
        #expect(log.fsyncCount == 3)
    }

    @Test func fsyncNeverOnlySyncsWhenForced() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: LogPolicy(maxSegmentBytes: 10, fsync: .never), nowMillis: 0)
        try log.append("{\"a\":1,\"b\":2}")
        try log.flush(nowMillis: 1)
        #expect(log.rotationCount == 1)
        #expect(log.fsyncCount == 0)
        try log.append("{\"c\":3}")
        try log.sync()
        #expect(log.fsyncCount == 1)
        try log.close()
    }

    @Test func rotationSyncsWhatTheIntervalHasNotYet() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: 10, fsync: .interval(milliseconds: 10_000)), nowMillis: 0)
        try log.append("{\"a\":1,\"b\":2}")
        try log.flush(nowMillis: 1)
        #expect(log.rotationCount == 1)
        #expect(log.fsyncCount == 1)
        try log.close()
    }

    @Test func repairCountsAsSync() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{", to: "rollups.jsonl")
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: LogPolicy(fsync: .always), nowMillis: 0)
        #expect(log.repairedTailBytes == 1)
        #expect(log.fsyncCount == 1)
        try log.close()
    }

    @Test func partialWriteThenDiskFullKeepsRestAndNeverRepeatsBytes() throws {
        let directory = try LogScratchDirectory()
        let writes = ScriptedLogWrites([7, -Int(ENOSPC)])
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0, writeCall: writes.write)
        for line in ["alpha", "bravo", "charlie"] { try log.append(line) }
        #expect(throws: LogError.diskFull(path: log.path, operation: "write", errno: ENOSPC)) {
            try log.flush(nowMillis: 1)
        }
        #expect(try directory.contents("rollups.jsonl") == "alpha\nb")
        #expect(log.bufferedBytes == 13)
        #expect(log.bytesWritten == 7)
        try log.flush(nowMillis: 2)
        #expect(try directory.contents("rollups.jsonl") == "alpha\nbravo\ncharlie\n")
        #expect(log.bytesWritten == 20)
        #expect(writes.calls == 3)
        try log.close()
    }

    @Test func interruptedAndShortWritesAreRetried() throws {
        let directory = try LogScratchDirectory()
        let writes = ScriptedLogWrites([-Int(EINTR), 3, -Int(EINTR), 4])
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0, writeCall: writes.write)
        for line in ["alpha", "bravo"] { try log.append(line) }
        try log.flush(nowMillis: 1)
        #expect(try directory.contents("rollups.jsonl") == "alpha\nbravo\n")
        #expect(writes.calls == 5)
        try log.close()
    }

    @Test func writeThatMakesNoProgressIsAnErrorNotASpin() throws {
        let directory = try LogScratchDirectory()
        let writes = ScriptedLogWrites([0])
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0, writeCall: writes.write)
        try log.append("alpha")
        #expect(throws: LogError.systemCall(path: log.path, operation: "write (no progress)", errno: EIO)) {
            try log.flush(nowMillis: 1)
        }
        #expect(log.bufferedBytes == 6)
        try log.close()
        #expect(try directory.contents("rollups.jsonl") == "alpha\n")
    }

    @Test func appendKeepsLineWhenFullBufferCannotBeWritten() throws {
        let directory = try LogScratchDirectory()
        let writes = ScriptedLogWrites([-Int(EDQUOT), -Int(EDQUOT)])
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0, writeCall: writes.write)
        let lines = numberedLogLines(68, width: 1000)
        for line in lines.prefix(65) { try log.append(line) }
        for line in lines[65..<67] {
            #expect(throws: LogError.diskFull(path: log.path, operation: "write", errno: EDQUOT)) {
                try log.append(line)
            }
        }
        #expect(log.bufferedBytes == 67_067)
        #expect(try directory.contents("rollups.jsonl") == "")
        try log.flush(nowMillis: 1)
        #expect(try directory.contents("rollups.jsonl") == lines.prefix(67).map { $0 + "\n" }.joined())
        try log.append(lines[67])
        try log.close()
        #expect(try directory.contents("rollups.jsonl") == lines.map { $0 + "\n" }.joined())
    }

    @Test(.enabled(if: LogTmpfsMount.isAvailable, "needs permission to mount a tmpfs (root)"))
    func fullTmpfsThrowsDiskFullAndLosesNothing() throws {
        let directory = try LogScratchDirectory()
        let mountPoint = directory.file("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let tmpfs = try LogTmpfsMount(at: mountPoint, sizeBytes: 64 * 1024)
        defer { tmpfs.unmount(); withExtendedLifetime(directory) {} }
        try directory.write(String(repeating: "b", count: 32 * 1024), to: "small/ballast")

        let log = try SegmentedLog(
            directory: mountPoint, baseName: "quarantine", policy: LogPolicy(fsync: .always), nowMillis: 0)
        let lines = numberedLogLines(400, width: 200)
        var failure: LogError?
        var accepted = 0
        for line in lines {
            try log.append(line)
            accepted += 1
            do {
                try log.flush(nowMillis: Int64(accepted))
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .diskFull(path: log.path, operation: "write", errno: ENOSPC))
        #expect(failure.map { String(describing: $0).hasPrefix(log.path + ": write failed, disk full") } == true)
        let expected = lines.prefix(accepted).map { $0 + "\n" }.joined()
        let onDisk = try directory.contents("small/quarantine.jsonl")
        // Half of the 64 KiB is ballast; the log filled the rest, ending inside a line.
        #expect(onDisk.utf8.count == 32 * 1024)
        #expect(onDisk.utf8.count % 201 != 0)
        #expect(expected.hasPrefix(onDisk))
        #expect(Int64(onDisk.utf8.count) + Int64(log.bufferedBytes) == Int64(expected.utf8.count))
        #expect(throws: LogError.diskFull(path: log.path, operation: "write", errno: ENOSPC)) {
            try log.flush(nowMillis: 1000)
        }

        try FileManager.default.removeItem(atPath: directory.file("small/ballast"))
        try log.flush(nowMillis: 1001)
        for line in lines[accepted..<(accepted + 5)] { try log.append(line) }
        try log.close()
        #expect(try directory.contents("small/quarantine.jsonl") == lines.prefix(accepted + 5).map { $0 + "\n" }.joined())
    }

    @Test(.enabled(if: LogTmpfsMount.isAvailable, "needs permission to mount a tmpfs (root)"))
    func rotationThatCannotCreateNewSegmentRecoversOnNextFlush() throws {
        let directory = try LogScratchDirectory()
        let mountPoint = directory.file("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        // Three inodes: the root directory, rollups.jsonl and a ballast file.
        let tmpfs = try LogTmpfsMount(at: mountPoint, sizeBytes: 64 * 1024, inodes: 3)
        defer { tmpfs.unmount(); withExtendedLifetime(directory) {} }
        try directory.write("", to: "small/ballast")

        let log = try SegmentedLog(
            directory: mountPoint, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: 10, fsync: .always), nowMillis: 0)
        try log.append("{\"a\":1,\"b\":2}")
        #expect(throws: LogError.diskFull(path: log.path, operation: "open for appending", errno: ENOSPC)) {
            try log.flush(nowMillis: 1000)
        }
        #expect(try directory.names(in: "small") == ["ballast", "rollups-19700101T000001Z-000001.jsonl"])
        #expect(throws: LogError.diskFull(path: log.path, operation: "open for appending", errno: ENOSPC)) {
            try log.flush(nowMillis: 2000)
        }

        try FileManager.default.removeItem(atPath: directory.file("small/ballast"))
        try log.flush(nowMillis: 3000)
        // Recreated by the flush itself, so `tail -F` sees it again without waiting for a line.
        #expect(try directory.names(in: "small") == ["rollups-19700101T000001Z-000001.jsonl", "rollups.jsonl"])
        try log.append("{\"c\":3}")
        try log.close()
        #expect(log.rotationCount == 1)
        #expect(try directory.names(in: "small") == ["rollups-19700101T000001Z-000001.jsonl", "rollups.jsonl"])
        #expect(
            try LogSegments(directory: mountPoint, baseName: "rollups").readCompleteLines()
                == ["{\"a\":1,\"b\":2}", "{\"c\":3}"])
    }

    @Test func errorsNameThePathAndTheReason() {
        #expect(
            LogError.failure("write", path: "/d/r.jsonl", errno: ENOSPC)
                == .diskFull(path: "/d/r.jsonl", operation: "write", errno: ENOSPC))
        #expect(
            LogError.failure("write", path: "/d/r.jsonl", errno: EDQUOT)
                == .diskFull(path: "/d/r.jsonl", operation: "write", errno: EDQUOT))
        #expect(
            LogError.failure("fsync", path: "/d/r.jsonl", errno: EIO)
                == .systemCall(path: "/d/r.jsonl", operation: "fsync", errno: EIO))
        #expect(
            LogError.diskFull(path: "/d/r.jsonl", operation: "write", errno: ENOSPC).description
                == "/d/r.jsonl: write failed, disk full: No space left on device (errno 28); "
                + "unwritten lines are kept in memory and written by the next successful flush")
        #expect(
            LogError.systemCall(path: "/d/r.jsonl", operation: "fsync", errno: EIO).description
                == "/d/r.jsonl: fsync failed: Input/output error (errno 5)")
    }
}
