import Testing

@testable import Telemetry

/// Simulated power cuts of a `SegmentedLog` on its own (no checkpoint around it): with
/// `fsync: always`, what `flush` returned from survives.
@Suite("Simulated power cuts of a log")
struct PowerCutLogTests {
    /// A log whose directory it created itself: the directory's name must survive too.
    @Test func linesFlushedWithFsyncAlwaysSurviveInADirectoryTheLogCreated() throws {
        var lost = 0
        for seed in UInt64(1)...200 {
            let fileSystem = PowerCutFileSystem(seed: seed, writebackOdds: 0)
            let directory = "/data/site-\(seed % 3)/rollups"
            let log = try SegmentedLog(
                directory: directory, baseName: "rollups", policy: LogPolicy(fsync: .always),
                nowMillis: 0, fileSystem: fileSystem)
            for line in 0..<5 { try log.append(#"{"line":\#(line)}"#) }
            try log.flush(nowMillis: 1)
            fileSystem.cutPower()
            fileSystem.restart()
            let lines = try LogSegments(directory: directory, baseName: "rollups", fileSystem: fileSystem).readCompleteLines()
            if lines.count != 5 { lost += 1 }
        }
        #expect(lost == 0, "\(lost) of 200 power cuts lost lines a flush with fsync always had returned from")
    }
}
