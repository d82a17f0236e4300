import Foundation
import Testing

@testable import Telemetry

@Suite("Restoring a log to a recorded position")
struct LogRestoreTests {
    private func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("restore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func write(_ log: SegmentedLog, _ range: Range<Int>, now: Int64) throws {
        for index in range {
            try log.append("{\"line\":\(index),\"padding\":\"\(String(repeating: "p", count: 40))\"}")
            try log.flush(nowMillis: now)
        }
    }

    @Test(arguments: [0, 3, 40])
    func cutsBackAcrossRotations(linesBefore: Int) throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = LogPolicy(maxSegmentBytes: 300, maxSegmentAgeMillis: 3_600_000, fsync: .never)
        let position: LogPosition
        do {
            let log = try SegmentedLog(directory: directory, baseName: "rollups", policy: policy, nowMillis: 1_000)
            try write(log, 0..<linesBefore, now: 1_000)
            position = log.position
            try write(log, linesBefore..<linesBefore + 25, now: 2_000)
            try log.close()
        }
        let segments = try LogSegments(directory: directory, baseName: "rollups")
        #expect(try segments.readCompleteLines().count == linesBefore + 25)
        let outcome = try segments.restore(to: position)
        #expect(outcome.bytesMissing == 0)
        #expect(outcome.segmentsRemoved >= 1)
        let lines = try segments.readCompleteLines()
        #expect(lines == (0..<linesBefore).map { "{\"line\":\($0),\"padding\":\"\(String(repeating: "p", count: 40))\"}" })

        // The restored log accepts appends where it left off, and restoring again is a no-op.
        let reopened = try SegmentedLog(directory: directory, baseName: "rollups", policy: policy, nowMillis: 3_000)
        #expect(reopened.repairedTailBytes == 0)
        try write(reopened, linesBefore..<linesBefore + 2, now: 3_000)
        try reopened.close()
        #expect(try segments.readCompleteLines().count == linesBefore + 2)
    }

    @Test func reportsBytesAPowerCutTook() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try SegmentedLog(directory: directory, baseName: "q", policy: LogPolicy(fsync: .never), nowMillis: 0)
        try write(log, 0..<3, now: 0)
        let position = log.position
        try log.close()
        let segments = try LogSegments(directory: directory, baseName: "q")
        #expect(truncate(segments.currentPath, off_t(position.currentBytes - 10)) == 0)
        #expect(try segments.restore(to: position).bytesMissing == 10)
    }
}
