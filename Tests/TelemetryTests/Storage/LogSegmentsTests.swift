import Foundation
import Testing

@testable import Telemetry

@Suite("LogSegments layout and reading")
struct LogSegmentsTests {
    @Test(arguments: [
        (Int64(0), "19700101T000000Z"),
        (1_763_700_000_123, "20251121T044000Z"),
        (951_782_400_000, "20000229T000000Z"),
        (4_102_444_799_999, "20991231T235959Z"),
        (-1, "19691231T235959Z"),
    ])
    func formatsRotationStampInUTC(millis: Int64, stamp: String) {
        #expect(LogSegments.stamp(millis: millis) == stamp)
    }

    @Test func stampMatchesFoundationAndParsesBack() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var mismatches: [Int64] = []
        for _ in 0..<2000 {
            // SplitMix64, so the sample is the same on every run.
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            let seconds = Int64(mixed % 4_102_444_800)  // 1970 … 2099
            let stamp = LogSegments.stamp(millis: seconds * 1000 + 999)
            if stamp != formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
                || LogSegments.millis(stamp: stamp) != seconds * 1000
            {
                mismatches.append(seconds)
            }
        }
        #expect(mismatches == [])
    }

    @Test(arguments: [
        "20250230T000000Z", "20251121T246000Z", "2025112T044000Z", "20251121X044000Z", "20251121T04400aZ", "20251121T044000z",
    ])
    func rejectsMalformedStamps(_ stamp: String) {
        #expect(LogSegments.millis(stamp: stamp) == nil)
    }

    @Test func namesRotatedSegments() throws {
        let segments = try LogSegments(directory: "/var/lib/gateway/", baseName: "rollups")
        #expect(segments.currentPath == "/var/lib/gateway/rollups.jsonl")
        #expect(
            segments.rotatedPath(sequence: 7, rotatedAtMillis: 1_763_700_000_123)
                == "/var/lib/gateway/rollups-20251121T044000Z-000007.jsonl")
        #expect(
            segments.rotatedPath(sequence: 1_234_567, rotatedAtMillis: 0)
                == "/var/lib/gateway/rollups-19700101T000000Z-1234567.jsonl")
    }

    @Test func parsesOnlyThisLogsRotatedNames() throws {
        let segments = try LogSegments(directory: "/d", baseName: "rollups")
        #expect(segments.parseRotatedName("rollups-20251121T044000Z-000007.jsonl")?.sequence == 7)
        #expect(segments.parseRotatedName("rollups-20251121T044000Z-000007.jsonl")?.millis == 1_763_700_000_000)
        #expect(segments.parseRotatedName("rollups-20251121T044000Z-1234567.jsonl")?.sequence == 1_234_567)
        for name in [
            "rollups.jsonl", "rollups-20251121T044000Z-00007.jsonl", "rollups-20251121T044000Z-000007.json",
            "rollups-1m-20251121T044000Z-000007.jsonl", "rollups-20251121T044000Z-00000x.jsonl",
            "rollups-20251121T044000Z_000007.jsonl", "quarantine-20251121T044000Z-000007.jsonl",
            "rollups-20251121T044000Z-0000000000000000007.jsonl",
        ] {
            #expect(segments.parseRotatedName(name) == nil, "\(name)")
        }
    }

    @Test func listsByNumericSequenceThenCurrent() throws {
        let directory = try LogScratchDirectory()
        for name in [
            "rollups-20251121T044000Z-000002.jsonl", "rollups-20251121T040000Z-000001.jsonl",
            "rollups-20251121T050000Z-1000000.jsonl", "rollups-20251121T045000Z-000010.jsonl",
            "rollups.jsonl", "rollups.jsonl.tmp", "notes.txt", "rollups-1m.jsonl",
        ] {
            try directory.write("", to: name)
        }
        let listed = try LogSegments(directory: directory.path, baseName: "rollups").list()
        #expect(
            listed.map(\.path)
                == [
                    "rollups-20251121T040000Z-000001.jsonl", "rollups-20251121T044000Z-000002.jsonl",
                    "rollups-20251121T045000Z-000010.jsonl", "rollups-20251121T050000Z-1000000.jsonl", "rollups.jsonl",
                ].map { directory.file($0) })
        #expect(listed.map(\.isCurrent) == [false, false, false, false, true])
        #expect(listed.first?.rotatedAtMillis == 1_763_697_600_000)
    }

    @Test func missingDirectoryIsAnEmptyLog() throws {
        let directory = try LogScratchDirectory()
        let segments = try LogSegments(directory: directory.file("absent"), baseName: "rollups")
        #expect(try segments.list() == [])
        #expect(try segments.readCompleteLines() == [])
    }

    @Test func readsCompleteLinesAndLeavesTornTail() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n{\"b\":2}\n", to: "rollups-20251121T044000Z-000001.jsonl")
        try directory.write("{\"c\":3}\n{\"d\":", to: "rollups.jsonl")
        let segments = try LogSegments(directory: directory.path, baseName: "rollups")
        #expect(try segments.readCompleteLines() == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        let current = try LogSegments.readCompleteLines(atPath: segments.currentPath)
        #expect(current.lines == ["{\"c\":3}"])
        #expect(current.tornTailBytes == 5)
        #expect(throws: LogError.systemCall(path: directory.file("gone.jsonl"), operation: "open", errno: ENOENT)) {
            try LogSegments.readCompleteLines(atPath: directory.file("gone.jsonl"))
        }
    }

    @Test func readsLinesLongerThanOneReadChunk() throws {
        let directory = try LogScratchDirectory()
        let lines = numberedLogLines(3, width: 150_000)
        try directory.write(lines.map { $0 + "\n" }.joined(), to: "rollups.jsonl")
        #expect(try LogSegments(directory: directory.path, baseName: "rollups").readCompleteLines() == lines)
    }

    @Test func identityTellsTheRenamedOpenFileFromItsSuccessor() throws {
        let directory = try LogScratchDirectory()
        try directory.write("{\"a\":1}\n", to: "rollups-20251121T044000Z-000001.jsonl")
        try directory.write("{\"b\":2}\n", to: "rollups.jsonl")
        let segments = try LogSegments(directory: directory.path, baseName: "rollups")
        guard let current = try segments.openCurrentForReading() else {
            Issue.record("rollups.jsonl should exist")
            return
        }
        defer { _ = close(current.descriptor) }
        // A rotation between opening B.jsonl and listing: the file open is now segment 2.
        try FileManager.default.moveItem(
            atPath: segments.currentPath, toPath: directory.file("rollups-20251121T044100Z-000002.jsonl"))
        try directory.write("{\"c\":3}\n", to: "rollups.jsonl")
        let rotated = try segments.rotatedSegments()
        #expect(rotated.count == 2)
        let withoutOpen = try rotated.filter {
            try LogSegments.identity(ofPath: $0.path, fileSystem: segments.fileSystem) != current.identity
        }
        #expect(withoutOpen.map(\.sequence) == [1])
    }
}
