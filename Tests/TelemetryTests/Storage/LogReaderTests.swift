import Foundation
import Testing

@testable import Telemetry

@Suite("LogReader (reading by cursor)")
struct LogReaderTests {
    /// Rotates after every flush that leaves the segment at 20 bytes or more.
    private let small = LogPolicy(maxSegmentBytes: 20, maxSegmentAgeMillis: 1 << 40, fsync: .never)

    private func texts(_ chunk: LogReader.Chunk) -> [String] {
        chunk.lines.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    private func write(_ lines: [String], to log: SegmentedLog, at millis: Int64) throws {
        for line in lines {
            try log.append(line)
            try log.flush(nowMillis: millis)
        }
    }

    @Test func linesComeInLogOrderWithCursorsThatSurviveRotation() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: small, nowMillis: 0)
        let lines = (1...7).map { "{\"line\":\($0),\"pad\":\"xxxxxx\"}" }
        try write(lines, to: log, at: 1)
        let reader = LogReader(segments: log.segments)
        let whole = try reader.read(from: try reader.start(), maxBytes: 1 << 20)
        #expect(texts(whole) == lines)
        #expect(Set(whole.lines.map(\.start.segment)).count > 1, "the policy rotates")
        #expect(whole.end == (try reader.end()))
        // Every cursor names its line again after more rotations.
        try write(["{\"line\":8,\"pad\":\"xxxxxx\"}"], to: log, at: 2)
        for line in whole.lines {
            let again = try reader.read(from: line.start, maxBytes: 1)
            #expect(again.lines.first == line)
        }
        let rest = try reader.read(from: whole.end, maxBytes: 1 << 20)
        #expect(texts(rest) == ["{\"line\":8,\"pad\":\"xxxxxx\"}"])
        #expect(!rest.cursorBeyondEnd && rest.segmentsMissing == 0)
        try log.close()
    }

    @Test func anUnfinishedLineWaitsForItsNewline() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{\"b\":", to: "rollups.jsonl")
        let reader = LogReader(segments: try LogSegments(directory: directory.path, baseName: "rollups"))
        let first = try reader.read(from: try reader.start(), maxBytes: 1 << 20)
        #expect(texts(first) == ["{\"a\":1}"])
        #expect(first.end == LogCursor(segment: 1, offset: 8))
        try directory.write("{\"a\":1}\n{\"b\":2}\n", to: "rollups.jsonl")
        let second = try reader.read(from: first.end, maxBytes: 1 << 20)
        #expect(texts(second) == ["{\"b\":2}"])
        #expect(second.lines.first?.start == LogCursor(segment: 1, offset: 8))
        #expect(try reader.bytes(at: LogCursor(segment: 1, offset: 8), count: 7) == Array("{\"b\":2}".utf8))
        #expect(try reader.bytes(at: LogCursor(segment: 1, offset: 8), count: 9) == nil)
    }

    @Test func aCursorPastALogCutBackSaysSo() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: small, nowMillis: 0)
        try write(["{\"line\":1,\"pad\":\"xxxxxx\"}"], to: log, at: 1)
        let position = log.position
        try write((2...5).map { "{\"line\":\($0),\"pad\":\"xxxxxx\"}" }, to: log, at: 2)
        let reader = LogReader(segments: log.segments)
        let end = try reader.end()
        try log.close()
        _ = try log.segments.restore(to: position)
        #expect(try reader.read(from: end, maxBytes: 1 << 20).cursorBeyondEnd)
        #expect(try reader.end() < end)
    }

    @Test func segmentsRemovedByRetentionAreCountedAndSkipped() throws {
        let directory = try LogScratchDirectory()
        let log = try SegmentedLog(directory: directory.path, baseName: "rollups", policy: small, nowMillis: 0)
        let lines = (1...6).map { "{\"line\":\($0),\"pad\":\"xxxxxx\"}" }
        try write(lines, to: log, at: 1)
        let reader = LogReader(segments: log.segments)
        let before = try reader.start()
        let outcome = try log.segments.applyRetention(maxBytes: 1, maxAgeMillis: nil, keepingFrom: .max, nowMillis: 1)
        #expect(outcome.segmentsRemoved > 0)
        let chunk = try reader.read(from: before, maxBytes: 1 << 20)
        #expect(chunk.segmentsMissing == outcome.segmentsRemoved)
        #expect(texts(chunk) == Array(lines.suffix(lines.count - outcome.segmentsRemoved)))
        try log.close()
    }
}
