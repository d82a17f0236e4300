import Foundation
import Testing

@testable import Telemetry

@Suite("Log retention")
struct LogRetentionTests {
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_763_712_000_000

    /// Five rotated segments of 100 bytes, one a day, and a current one of 50 bytes.
    private func makeLog(_ scratch: LogScratchDirectory) throws -> LogSegments {
        let segments = try LogSegments(directory: scratch.path, baseName: "quarantine")
        for sequence in 1...5 {
            let path = segments.rotatedPath(sequence: sequence, rotatedAtMillis: Self.start + Int64(sequence) * Self.day)
            try Data(repeating: UInt8(ascii: "x"), count: 100).write(to: URL(fileURLWithPath: path))
        }
        try Data(repeating: UInt8(ascii: "y"), count: 50).write(to: URL(fileURLWithPath: segments.currentPath))
        return segments
    }

    @Test func theOldestSegmentsGoUntilTheLogFitsItsSize() throws {
        let scratch = try LogScratchDirectory()
        let segments = try makeLog(scratch)
        let outcome = try segments.applyRetention(maxBytes: 350, maxAgeMillis: nil, keepingFrom: 6, nowMillis: Self.start)
        #expect(outcome == LogSegments.RetentionOutcome(segmentsRemoved: 2, bytesRemoved: 200))
        #expect(try segments.list().compactMap(\.sequence) == [3, 4, 5])
    }

    @Test func segmentsWhoseLinesAreAllOlderThanTheAgeGo() throws {
        let scratch = try LogScratchDirectory()
        let segments = try makeLog(scratch)
        // Now is day 7: segments rotated on days 1…3 are more than 3.5 days old.
        let now = Self.start + 7 * Self.day
        let outcome = try segments.applyRetention(maxBytes: nil, maxAgeMillis: Self.day * 7 / 2, keepingFrom: 6, nowMillis: now)
        #expect(outcome.segmentsRemoved == 3)
        #expect(try segments.list().compactMap(\.sequence) == [4, 5])
    }

    @Test func segmentsACheckpointMayNeedStayWhateverTheLimits() throws {
        let scratch = try LogScratchDirectory()
        let segments = try makeLog(scratch)
        let outcome = try segments.applyRetention(
            maxBytes: 1, maxAgeMillis: 1, keepingFrom: 3, nowMillis: Self.start + 30 * Self.day)
        #expect(outcome.segmentsRemoved == 2)
        #expect(try segments.list().map { $0.sequence ?? 0 } == [3, 4, 5, 0])
        #expect(try segments.applyRetention(maxBytes: nil, maxAgeMillis: nil, keepingFrom: 6, nowMillis: 0).segmentsRemoved == 0)
    }

    /// The current file is numbered one past the newest rotated segment (`LogReader`), so that
    /// one stays even when every limit is passed and no checkpoint needs it.
    @Test func theNewestRotatedSegmentAlwaysStays() throws {
        let scratch = try LogScratchDirectory()
        let segments = try makeLog(scratch)
        let outcome = try segments.applyRetention(
            maxBytes: 1, maxAgeMillis: 1, keepingFrom: 6, nowMillis: Self.start + 30 * Self.day)
        #expect(outcome == LogSegments.RetentionOutcome(segmentsRemoved: 4, bytesRemoved: 400))
        #expect(try segments.list().map { $0.sequence ?? 0 } == [5, 0])
        #expect(try LogReader(segments: segments).end() == LogCursor(segment: 6, offset: 50))
    }
}
