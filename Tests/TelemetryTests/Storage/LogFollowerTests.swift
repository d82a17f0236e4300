import Foundation
import Synchronization
import Testing

@testable import Telemetry

@Suite("LogFollower (tail -F)")
struct LogFollowerTests {
    private let quiet = LogPolicy(maxSegmentBytes: 1 << 40, maxSegmentAgeMillis: 1 << 40, fsync: .never)

    @Test func seesAppendedLines() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        try log.append("{\"old\":1}")
        try log.flush(nowMillis: 0)
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 0)
        #expect(try follower.poll() == [])
        try log.append("{\"a\":1}")
        try log.append("{\"b\":2}")
        try log.flush(nowMillis: 1)
        #expect(try follower.poll() == ["{\"a\":1}", "{\"b\":2}"])
        #expect(try follower.poll() == [])
        try log.close()
    }

    @Test func returnsBacklogFirst() throws {
        let directory = try LogScratchDirectory()
        let lines = numberedLogLines(5)
        try directory.write(lines.map { $0 + "\n" }.joined() + "{\"part", to: "rollups.jsonl")
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 3)
        try directory.append("ial\":1}\n", to: "rollups.jsonl")
        #expect(try follower.poll() == Array(lines[2...]) + ["{\"partial\":1}"])
        #expect(try follower.poll() == [])
    }

    @Test func backlogReachesIntoRotatedSegmentsAndPastReadChunks() throws {
        let directory = try LogScratchDirectory()
        let lines = numberedLogLines(6, width: 40_000)
        try directory.write(lines[0..<2].map { $0 + "\n" }.joined(), to: "rollups-19700101T000001Z-000001.jsonl")
        try directory.write(lines[2..<5].map { $0 + "\n" }.joined(), to: "rollups-19700101T000002Z-000002.jsonl")
        try directory.write(lines[5] + "\n", to: "rollups.jsonl")
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 5)
        #expect(try follower.poll() == Array(lines[1...]))
        let all = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: .max)
        #expect(try all.poll() == lines)
    }

    @Test func startsAtOldestSegment() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: 40, fsync: .never), nowMillis: 0)
        let lines = numberedLogLines(9)
        for line in lines.prefix(5) {
            try log.append(line)
            try log.flush(nowMillis: 0)
        }
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", start: .oldestSegment)
        for line in lines.suffix(4) {
            try log.append(line)
            try log.flush(nowMillis: 0)
        }
        #expect(log.rotationCount == 4)
        #expect(try follower.poll() == lines)
        try log.close()
    }

    @Test func followsRotationWithoutLosingOrRepeatingLines() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: 100, fsync: .never), nowMillis: 0)
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 0)
        let lines = numberedLogLines(30)
        var seen: [String] = []
        for (index, line) in lines.enumerated() {
            try log.append(line)
            try log.flush(nowMillis: Int64(index))
            // Poll after every other flush: some rotations happen between polls, some right after one.
            if index % 2 == 1 { seen += try follower.poll() }
        }
        seen += try follower.poll()
        #expect(log.rotationCount == 6)
        #expect(follower.rotationsFollowed == 6)
        #expect(seen == lines)
        try log.close()
    }

    @Test func catchesUpOnSeveralRotationsBetweenPolls() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(
            directory: directory.path, baseName: "rollups",
            policy: LogPolicy(maxSegmentBytes: 20, fsync: .never), nowMillis: 0)
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 0)
        let lines = numberedLogLines(4)
        try log.append(lines[0] + "{\"more\":0}")  // unflushed bytes are not visible
        #expect(try follower.poll() == [])
        for line in lines {
            try log.append(line)
            try log.flush(nowMillis: 0)
        }
        #expect(log.rotationCount == 4)
        #expect(try follower.poll() == [lines[0] + "{\"more\":0}"] + lines)
        #expect(follower.rotationsFollowed == 1)
        try log.close()
    }

    @Test func restartsFromZeroAfterTruncation() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{\"b\":2}\n", to: "rollups.jsonl")
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", start: .oldestSegment)
        #expect(try follower.poll() == ["{\"a\":1}", "{\"b\":2}"])
        guard let handle = FileHandle(forUpdatingAtPath: directory.file("rollups.jsonl")) else {
            Issue.record("cannot open rollups.jsonl")
            return
        }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("{\"c\":3}\n".utf8))
        try handle.close()
        #expect(try follower.poll() == ["{\"c\":3}"])
        #expect(follower.truncationsSeen == 1)
        #expect(follower.rotationsFollowed == 0)
    }

    @Test func holdsPartialLineUntilNewline() throws {
        let directory = try LogScratchDirectory()
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", backlogLines: 0)
        try directory.write("{\"a\":", to: "rollups.jsonl")
        #expect(try follower.poll() == [])
        try directory.append("1}", to: "rollups.jsonl")
        #expect(try follower.poll() == [])
        try directory.append("\n{\"b\":2}\n{\"c", to: "rollups.jsonl")
        #expect(try follower.poll() == ["{\"a\":1}", "{\"b\":2}"])
        try directory.append("\":3}\n", to: "rollups.jsonl")
        #expect(try follower.poll() == ["{\"c\":3}"])
    }

    @Test func survivesFileBeingBrieflyAbsent() throws {
        let directory = try LogScratchDirectory()
        let follower = try LogFollower(directory: directory.file("not-yet"), baseName: "rollups", backlogLines: 10)
        #expect(try follower.poll() == [])
        try FileManager.default.createDirectory(atPath: directory.file("not-yet"), withIntermediateDirectories: false)
        try directory.write("{\"a\":1}\n", to: "not-yet/rollups.jsonl")
        #expect(try follower.poll() == ["{\"a\":1}"])
        try directory.append("{\"b\":2}\n", to: "not-yet/rollups.jsonl")
        try FileManager.default.moveItem(
            atPath: directory.file("not-yet/rollups.jsonl"), toPath: directory.file("not-yet/elsewhere.jsonl"))
        #expect(try follower.poll() == ["{\"b\":2}"])
        #expect(try follower.poll() == [])
        try directory.write("{\"c\":3}\n", to: "not-yet/rollups.jsonl")
        #expect(try follower.poll() == ["{\"c\":3}"])
        #expect(follower.rotationsFollowed == 1)
    }

    @Test func failedPollKeepsItsLinesForTheNextOne() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n", to: "rollups-19700101T000001Z-000001.jsonl")
        // A directory named like a segment: opening works, reading fails with EISDIR.
        let unreadable = directory.file("rollups-19700101T000002Z-000002.jsonl")
        try FileManager.default.createDirectory(atPath: unreadable, withIntermediateDirectories: false)
        try directory.write("{\"c\":3}\n", to: "rollups.jsonl")
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", start: .oldestSegment)
        #expect(throws: LogError.systemCall(path: unreadable, operation: "read", errno: EISDIR)) {
            try follower.poll()
        }
        try FileManager.default.removeItem(atPath: unreadable)
        try directory.write("{\"b\":2}\n", to: "rollups-19700101T000002Z-000002.jsonl")
        #expect(try follower.poll() == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(try follower.poll() == [])
    }

    @Test func dropsOnlyTheTornTailAWriterRepairs() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{\"torn", to: "rollups.jsonl")
        let follower = try LogFollower(directory: directory.path, baseName: "rollups", start: .oldestSegment)
        #expect(try follower.poll() == ["{\"a\":1}"])
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: quiet, nowMillis: 0)
        #expect(log.repairedTailBytes == 6)
        try log.append("{\"b\":2}")
        try log.flush(nowMillis: 0)
        #expect(try follower.poll() == ["{\"b\":2}"])
        #expect(follower.truncationsSeen == 0)
        #expect(follower.discardedPartialBytes == 6)
        try log.close()
    }
}

/// Tells the polling test that the writer has finished.
private final class WriterProgress: Sendable {
    let finished = Atomic<Bool>(false)
}

@Suite("LogFollower with a concurrent writer")
struct LogFollowerConcurrencyTests {
    @Test func followsAWriterRotatingConcurrently() async throws {
        let directory = try LogScratchDirectory()
        let path = directory.path
        let lines = numberedLogLines(20_000, width: 60)
        let progress = WriterProgress()
        let follower = try LogFollower(directory: path, baseName: "rollups", backlogLines: 0)
        let writer = Task.detached { () throws(LogError) -> Int in
            defer { progress.finished.store(true, ordering: .releasing) }
            // 61-byte lines flushed 3 at a time: 1 000-byte segments rotate every 18 lines.
            let log = try SegmentedLog(
                directory: path, baseName: "rollups",
                policy: LogPolicy(maxSegmentBytes: 1000, fsync: .never), nowMillis: 0)
            for (index, line) in lines.enumerated() {
                try log.append(line)
                if index % 3 == 2 { try log.flush(nowMillis: Int64(index)) }
            }
            try log.close()
            return log.rotationCount
        }
        var seen: [String] = []
        while !progress.finished.load(ordering: .acquiring) {
            seen += try follower.poll()
        }
        let rotations = try await writer.value
        seen += try follower.poll()
        #expect(rotations == 1111)
        #expect(seen.count == lines.count)
        #expect(seen == lines)
    }
}
