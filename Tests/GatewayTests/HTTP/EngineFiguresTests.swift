import Foundation
import Testing

@testable import Gateway

/// `status.json` and the figures `/metrics` renders are one value: written from a snapshot and
/// read back (as `gateway serve` does), they are the snapshot's.
@Suite("Engine figures")
struct EngineFiguresTests {
    @Test func statusJSONReadsBackAsTheFiguresOfTheSnapshotItWasWrittenFrom() throws {
        let snapshot = SampleSnapshot.make()
        let status = Data(StatusReporter.json(snapshot))
        let figures = try #require(EngineFigures(statusJSON: status))
        #expect(figures == EngineFigures(snapshot))
        #expect(figures.closeDelayP99Millis == 120)
    }

    @Test func statusJSONCarriesIngestLagBytesWrittenAndReconnects() throws {
        let object = try JSONSerialization.jsonObject(with: Data(StatusReporter.json(SampleSnapshot.make())))
        let status = try #require(object as? [String: Any])
        #expect(status["ingest_lag_ms"] as? Int == 1_500)
        #expect(status["reconnects"] as? Int == 2)
        #expect(status["bytes_written"] as? [String: Int] == ["rollups": 123_456, "quarantine": 7_890])
    }

    @Test func aStatusFileLackingAFigureGivesNoFiguresRatherThanZeros() throws {
        let object = try JSONSerialization.jsonObject(with: Data(StatusReporter.json(SampleSnapshot.make())))
        var status = try #require(object as? [String: Any])
        status["ingest_lag_ms"] = nil
        #expect(EngineFigures(statusJSON: try JSONSerialization.data(withJSONObject: status)) == nil)
        #expect(EngineFigures(statusJSON: Data("{\"updated\":".utf8)) == nil)
    }
}
