import Testing

@testable import Telemetry

/// Simulated power cuts and crashes during tier retention: whatever the instant, the rewritten
/// segment is either the old one or the new one, whole, and the next writer leaves no temporary
/// file behind.
@Suite("Simulated power cuts of tier retention")
struct PowerCutTierRetentionTests {
    typealias F = TierRetentionFixture
    static let directory = "/data/rollups"
    static let now = F.dayZero + 40 * F.day
    /// Segment 1 mixes expired 10s lines with others; segment 2, the newest rotated, is too recent.
    static let old = [
        F.line(F.tenSeconds, at: F.dayZero + F.day), F.line(F.hour, at: F.dayZero + F.day),
        F.line(F.tenSeconds, at: F.dayZero + F.day + 10_000), F.line(F.minute, at: F.dayZero + 20 * F.day),
    ]
    static let new = [old[1], old[3]]
    static let recent = [F.line(F.tenSeconds, at: now - 600_000)]

    /// A durable log on a fresh simulated disk: the two rotated segments and an empty current file.
    private func makeLog(seed: UInt64) throws -> (PowerCutFileSystem, LogSegments) {
        let fileSystem = PowerCutFileSystem(seed: seed)
        F.makeDirectory(Self.directory, on: fileSystem)
        _ = fileSystem.syncDirectory("/data")
        _ = fileSystem.syncDirectory("/")
        let log = try LogSegments(directory: Self.directory, baseName: "rollups", fileSystem: fileSystem)
        try F.writeFile(log.rotatedPath(sequence: 1, rotatedAtMillis: F.dayZero + 20 * F.day), lines: Self.old, on: fileSystem)
        try F.writeFile(log.rotatedPath(sequence: 2, rotatedAtMillis: Self.now - 60_000), lines: Self.recent, on: fileSystem)
        try F.writeFile(log.currentPath, lines: [], on: fileSystem)
        return (fileSystem, log)
    }

    @Test(arguments: [PowerCutFileSystem.Interruption.powerCut, .processCrash])
    func aRewriteInterruptedAtAnyStepLeavesTheOldSegmentOrTheNewOne(_ kind: PowerCutFileSystem.Interruption) throws {
        var outcomes: Set<String> = []
        var step = 1
        while true {
            let (fileSystem, log) = try makeLog(seed: UInt64(step))
            let segment = log.rotatedPath(sequence: 1, rotatedAtMillis: F.dayZero + 20 * F.day)
            fileSystem.interrupt(kind, atEvent: fileSystem.events + step)
            var record = TierRetentionRecord()
            let finished =
                (try? log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now)) != nil
                && !fileSystem.isDown
            // After a finished pass the power goes too: what it reported done must be on disk.
            fileSystem.cutPower()
            fileSystem.restart()

            let writer = try SegmentedLog(
                directory: Self.directory, baseName: "rollups", policy: LogPolicy(fsync: .always), nowMillis: Self.now,
                fileSystem: fileSystem)
            let lines = F.lines(try F.contents(segment, on: fileSystem))
            #expect(lines == Self.old || lines == Self.new, "interrupted at step \(step): \(lines)")
            if finished { #expect(lines == Self.new, "a finished rewrite was lost at step \(step)") }
            #expect(
                F.lines(try F.contents(log.rotatedPath(sequence: 2, rotatedAtMillis: Self.now - 60_000), on: fileSystem))
                    == Self.recent)
            #expect(fileSystem.directoryEntries(atPath: Self.directory)?.contains { $0.hasSuffix(".rewrite") } == false)
            try writer.close()
            outcomes.insert(lines == Self.new ? "new" : "old")
            if finished { break }
            step += 1
        }
        #expect(step > 5, "the rewrite took only \(step) file-system calls")
        #expect(outcomes == ["old", "new"])
    }

    /// After the first pass has read the segments, a pass with nothing newly expired lists the
    /// directory and reads no segment.
    @Test func aPassWithNothingNewlyExpiredReadsNoSegment() throws {
        let (fileSystem, log) = try makeLog(seed: 1)
        var record = TierRetentionRecord()
        #expect(
            try log.applyTierRetention(keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now).linesRemoved == 2
        )
        let before = fileSystem.events
        for minutes in 1...5 {
            let outcome = try log.applyTierRetention(
                keepMillis: F.keep, record: &record, keepingFrom: 3, nowMillis: Self.now + Int64(minutes) * 60_000)
            #expect(outcome == LogSegments.TierRetentionOutcome())
        }
        #expect(fileSystem.events - before == 5, "one directory listing per pass")
    }
}
