import Foundation
import Testing

@testable import Telemetry

/// Tier retention of the rollup log: rotated segments rewritten without the lines of tiers whose
/// retention has passed (`LogSegments.applyTierRetention`).
@Suite("Log tier retention")
struct LogTierRetentionTests {
    typealias F = TierRetentionFixture
    static let day = F.day
    static let zero = F.dayZero
    /// Day 40: the 10s lines of day 38 and before, and the 1m lines of day 10 and before, expired.
    static let now = zero + 40 * day

    /// One segment of the mixed log: its rotation time and lines.
    struct Segment {
        let rotatedAt: Int64
        let lines: [String]
    }

    static let note = #"{"note":"written by hand, not a rollup record"}"#
    static let badTime = #"{"tier":"10s","start":"2025-11-22T00:00:00Z","end":"2025-11-22T00:00:10Z","park":"p"}"#

    /// Five rotated segments and a current file, every tier mixed, as day 40 sees them.
    static let mixed: [Segment] = [
        // Day 1: 10s and 1m expired, 1h forever, two lines that are not rollup records.
        Segment(
            rotatedAt: zero + day + 3_600_000,
            lines: [
                F.line(F.tenSeconds, at: zero + day), F.line(F.minute, at: zero + day), note,
                F.line(F.hour, at: zero + day), F.line(F.tenSeconds, at: zero + day + 10_000, device: "inv-02"), badTime,
            ]),
        // Day 1.5: only expired 10s lines, so nothing is left.
        Segment(
            rotatedAt: zero + day * 3 / 2,
            lines: [F.line(F.tenSeconds, at: zero + day + 7_200_000), F.line(F.tenSeconds, at: zero + day + 7_210_000)]),
        // Day 20: 10s expired, 1m not yet.
        Segment(
            rotatedAt: zero + 20 * day + 60_000,
            lines: [
                F.line(F.hour, at: zero + 20 * day), F.line(F.tenSeconds, at: zero + 20 * day),
                F.line(F.minute, at: zero + 20 * day),
            ]),
        // Day 39: nothing expired yet.
        Segment(
            rotatedAt: zero + 39 * day + 60_000,
            lines: [F.line(F.tenSeconds, at: zero + 39 * day), F.line(F.minute, at: zero + 39 * day)]),
        // Rotated half an hour ago, holding a late 10s line of day 1: too recent to rewrite.
        Segment(rotatedAt: now - 1_800_000, lines: [F.line(F.tenSeconds, at: zero + day), F.line(F.hour, at: now - 7_200_000)]),
    ]
    static let currentLines = [F.line(F.tenSeconds, at: zero + day), F.line(F.tenSeconds, at: now - 60_000)]

    /// Writes `segments` (numbered from 1) and `current` into a fresh rollup log.
    private func makeLog(
        _ scratch: LogScratchDirectory, _ segments: [Segment] = mixed, current: [String] = currentLines
    ) throws -> LogSegments {
        let log = try LogSegments(directory: scratch.path, baseName: "rollups")
        for (index, segment) in segments.enumerated() {
            let path = log.rotatedPath(sequence: index + 1, rotatedAtMillis: segment.rotatedAt)
            try F.writeFile(path, lines: segment.lines, on: log.fileSystem)
        }
        try F.writeFile(log.currentPath, lines: current, on: log.fileSystem)
        return log
    }

    /// The lines of rotated segment `sequence`, nil when it is gone.
    private func lines(of log: LogSegments, _ sequence: Int) throws -> [String]? {
        guard let segment = try log.list().first(where: { $0.sequence == sequence }) else { return nil }
        return F.lines(try F.contents(segment.path, on: log.fileSystem))
    }

    private func inode(of log: LogSegments, _ sequence: Int) throws -> UInt64? {
        guard let segment = try log.list().first(where: { $0.sequence == sequence }) else { return nil }
        return log.fileSystem.status(ofPath: segment.path)?.inode
    }

    @Test func exactlyTheExpiredTiersLinesGoAndEveryOtherLineStaysByteForByteInOrder() throws {
        let scratch = try LogScratchDirectory()
        let log = try makeLog(scratch)
        var record = TierRetentionRecord()
        let outcome = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 6, nowMillis: Self.now)

        let first = Self.mixed[0].lines
        #expect(try lines(of: log, 1) == [first[2], first[3], first[5]])
        #expect(try lines(of: log, 2) == nil, "left empty and not the newest rotated segment: deleted")
        #expect(try lines(of: log, 3) == [Self.mixed[2].lines[0], Self.mixed[2].lines[2]])
        #expect(try lines(of: log, 4) == Self.mixed[3].lines)
        #expect(try lines(of: log, 5) == Self.mixed[4].lines, "rotated less than an hour ago")
        #expect(F.lines(try F.contents(log.currentPath, on: log.fileSystem)) == Self.currentLines, "the current file")
        let removed = [first[0], first[1], first[4]] + Self.mixed[1].lines + [Self.mixed[2].lines[1]]
        #expect(
            outcome
                == LogSegments.TierRetentionOutcome(
                    segmentsRewritten: 2, segmentsRemoved: 1, linesRemoved: 6,
                    bytesRemoved: Int64(removed.reduce(0) { $0 + $1.utf8.count + 1 })))
        #expect(try scratch.names().allSatisfy { !$0.hasSuffix(".rewrite") })
    }

    @Test func aSegmentIsRewrittenOncePerTierThatExpiresInItAndNotReadAgainMeanwhile() throws {
        let scratch = try LogScratchDirectory()
        let log = try makeLog(scratch)
        var record = TierRetentionRecord()
        _ = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 6, nowMillis: Self.now)
        let inodes = try (1...5).map { try inode(of: log, $0) }

        // An hour later nothing new has expired: no segment is rewritten.
        let again = try log.applyTierRetention(
            keepMillis: F.keep, record: &record, keepingFrom: 6, nowMillis: Self.now + 3_600_000)
        #expect(again == LogSegments.TierRetentionOutcome())
        #expect(try (1...5).map { try inode(of: log, $0) } == inodes)

        // Day 51: segment 3 loses its 1m line of day 20, segment 4 its 10s line of day 39,
        // segment 5 (old enough now) its late 10s line; segment 1 has nothing more to lose.
        let later = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 6, nowMillis: zeroPlus(51))
        #expect(later.segmentsRewritten == 3 && later.linesRemoved == 3 && later.segmentsRemoved == 0)
        #expect(try lines(of: log, 3) == [Self.mixed[2].lines[0]])
        #expect(try lines(of: log, 4) == [Self.mixed[3].lines[1]])
        #expect(try lines(of: log, 5) == [Self.mixed[4].lines[1]])
        #expect(try inode(of: log, 1) == inodes[0])
        #expect(try inode(of: log, 3) != inodes[2])
    }

    @Test func segmentsACheckpointMayNeedAreNotTouchedWhateverTheirAge() throws {
        let scratch = try LogScratchDirectory()
        let log = try makeLog(scratch)
        var record = TierRetentionRecord()
        let outcome = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: zeroPlus(100))
        #expect(outcome.segmentsRewritten == 1 && outcome.segmentsRemoved == 1)
        #expect(try lines(of: log, 3) == Self.mixed[2].lines)
        #expect(try lines(of: log, 5) == Self.mixed[4].lines)
    }

    /// The current file is numbered one past the newest rotated segment, so that one stays,
    /// empty, when all its lines expire.
    @Test func theNewestRotatedSegmentIsKeptEmptyWhenEveryLineInItExpired() throws {
        let scratch = try LogScratchDirectory()
        let old = Segment(rotatedAt: zeroPlus(1), lines: [F.line(F.tenSeconds, at: zeroPlus(1))])
        let log = try makeLog(scratch, [old, old], current: [])
        var record = TierRetentionRecord()
        let outcome = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now)
        #expect(
            outcome
                == LogSegments.TierRetentionOutcome(
                    segmentsRewritten: 1, segmentsRemoved: 1, linesRemoved: 2,
                    bytesRemoved: Int64(2 * (old.lines[0].utf8.count + 1))))
        #expect(try log.list().map { $0.sequence ?? 0 } == [2, 0])
        #expect(try lines(of: log, 2) == [])
        #expect(try LogReader(segments: log).end() == LogCursor(segment: 3, offset: 0))
    }

    /// A 10s window that ended later than its segment's rotation (a device clock running ahead)
    /// holds its tier back: the tier's lines go together once the last of them expired.
    @Test func aTiersLinesGoTogetherOnceTheNewestOfThemHasExpired() throws {
        let scratch = try LogScratchDirectory()
        let segment = Segment(
            rotatedAt: zeroPlus(1),
            lines: [
                F.line(F.tenSeconds, at: zeroPlus(1)), F.line(F.hour, at: zeroPlus(1)), F.line(F.tenSeconds, at: zeroPlus(39)),
            ])
        let log = try makeLog(scratch, [segment, segment])
        var record = TierRetentionRecord()
        #expect(
            try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now).linesRemoved == 0
        )
        #expect(try lines(of: log, 1) == segment.lines)
        let later = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: zeroPlus(42))
        #expect(later.linesRemoved == 4 && later.segmentsRewritten == 2)
        #expect(try lines(of: log, 1) == [segment.lines[1]])
    }

    @Test func aTornLastLineOfARotatedSegmentIsKeptAsItIs() throws {
        let scratch = try LogScratchDirectory()
        let log = try LogSegments(directory: scratch.path, baseName: "rollups")
        let torn = String(F.line(F.tenSeconds, at: zeroPlus(1)).prefix(90))
        let expired = F.line(F.tenSeconds, at: zeroPlus(1))
        try F.writeFile(
            log.rotatedPath(sequence: 1, rotatedAtMillis: zeroPlus(1)), lines: [expired], tail: torn, on: log.fileSystem)
        try F.writeFile(log.rotatedPath(sequence: 2, rotatedAtMillis: zeroPlus(2)), lines: [], on: log.fileSystem)
        var record = TierRetentionRecord()
        let outcome = try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now)
        #expect(outcome.linesRemoved == 1 && outcome.segmentsRewritten == 1)
        #expect(try F.contents(log.rotatedPath(sequence: 1, rotatedAtMillis: zeroPlus(1)), on: log.fileSystem) == torn)
    }

    /// A crash between writing the temporary file and renaming it over the segment leaves the
    /// old segment whole and the temporary file beside it; the writer deletes that at open.
    @Test func anUnfinishedRewriteLeftByACrashIsDeletedWhenTheWriterOpensTheLog() throws {
        let scratch = try LogScratchDirectory()
        let log = try makeLog(scratch)
        let segment = try #require(try log.list().first)
        try scratch.write(
            F.line(F.hour, at: zeroPlus(1)) + "\n{\"tier\":\"1",
            to: URL(fileURLWithPath: segment.path).lastPathComponent + ".rewrite")
        try scratch.write("not ours", to: "notes.rewrite")
        try scratch.write("not ours", to: "quarantine-20251122T000000Z-000001.jsonl.rewrite")
        let before = try log.readCompleteLines()

        let writer = try SegmentedLog(directory: scratch.path, baseName: "rollups", policy: LogPolicy(), nowMillis: Self.now)
        defer { try? writer.close() }
        #expect(writer.rewriteLeftoversRemoved == 1)
        #expect(
            try scratch.names().filter { $0.hasSuffix(".rewrite") } == [
                "notes.rewrite", "quarantine-20251122T000000Z-000001.jsonl.rewrite",
            ])
        #expect(try log.readCompleteLines() == before)
        #expect(
            try LogReader(segments: log).read(from: LogCursor(segment: 1, offset: 0), maxBytes: .max).lines.count == before.count)
    }

    @Test func aLogWhosePolicyListsNoTierIsNeverRewritten() throws {
        let scratch = try LogScratchDirectory()
        _ = try makeLog(scratch)
        let writer = try SegmentedLog(directory: scratch.path, baseName: "rollups", policy: LogPolicy(), nowMillis: Self.now)
        defer { try? writer.close() }
        #expect(try writer.applyTierRetention(keepingFrom: 6, nowMillis: zeroPlus(1_000)) == LogSegments.TierRetentionOutcome())
    }

    /// The engine's sink runs it after whole-segment retention, for the rollup log only, and says
    /// what it removed.
    @Test func theSinkRemovesExpiredTiersFromTheRollupLogAndReportsIt() throws {
        let scratch = try LogScratchDirectory()
        _ = try makeLog(scratch)
        let rollups = try SegmentedLog(
            directory: scratch.path, baseName: "rollups", policy: LogPolicy(fsync: .never, retainTierMillis: F.keep),
            nowMillis: Self.now)
        let quarantine = try SegmentedLog(
            directory: scratch.file("quarantine"), baseName: "quarantine", policy: LogPolicy(fsync: .never), nowMillis: Self.now)
        let observer = RecordingObserver()
        let sink = LogSink(rollups: rollups, quarantine: quarantine, observer: observer)
        let position = LogPosition(nextRotationSequence: 6, currentBytes: 0)
        sink.applyRetention(keepingRollupsFrom: position, quarantineFrom: position, nowMillis: Self.now)
        sink.close(nowMillis: Self.now)
        #expect(observer.events.contains { $0.contains("retention: removed 6 expired line(s)") })
        #expect(!sink.isFailing)
    }

    private func zeroPlus(_ days: Int64) -> Int64 { Self.zero + days * Self.day }
}
