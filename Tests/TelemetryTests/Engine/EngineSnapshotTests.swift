import Foundation
import Testing

@testable import Telemetry

/// The figures of `EngineSnapshot` that come from the ring, the logs and the connection.
@Suite("Engine snapshot")
struct EngineSnapshotTests {
    @Test func theIngestLagIsTheAgeOfTheOldestMessageWaitingInTheRing() throws {
        let directory = IngestEngineTests.DataDirectory()
        let engine = try IngestEngine.open(try directory.configuration, observer: RecordingObserver())
        let now = WallClock.millis()
        #expect(engine.snapshot(nowMillis: now, stopped: false).ingestLagMillis == 0)
        for receivedMillis in [now - 7_000, now - 2_000, now + 5_000] {
            let pushed = Array("iiot/p/s/d/telemetry".utf8).withUnsafeBytes { topic in
                Array(#"{"x":1}"#.utf8).withUnsafeBytes {
                    engine.ring.tryPush(topic: topic, payload: $0, receivedAtNanos: receivedMillis * 1_000_000)
                }
            }
            #expect(pushed)
        }
        #expect(engine.snapshot(nowMillis: now, stopped: false).ingestLagMillis == 7_000)
        #expect(engine.ring.consume(maxMessages: 1) { _ in } == 1)
        #expect(engine.snapshot(nowMillis: now, stopped: false).ingestLagMillis == 2_000)
        #expect(engine.ring.consume(maxMessages: 1) { _ in } == 1)
        #expect(engine.snapshot(nowMillis: now, stopped: false).ingestLagMillis == 0, "a receive time ahead of now")
        try engine.start()
        engine.requestStop()
        engine.waitUntilStopped()
    }

    @Test func bytesWrittenAreWhatReachedEachLogSinceStart() throws {
        let directory = IngestEngineTests.DataDirectory()
        let messages = IngestEngineTests.workload(endingAtMillis: WallClock.millis() - 60_000)
        let bad = IngestEngineTests.Message(
            topic: Array("iiot/yen-my/f01/env-0001/telemetry".utf8), receivedAtNanos: messages[0].receivedAtNanos,
            payload: Array("not json".utf8))
        let final = try #require(try directory.run(messages + [bad]).lastSnapshot)
        func size(_ log: String) throws -> Int64 {
            try FileManager.default.contentsOfDirectory(atPath: directory.path + "/" + log).reduce(0) {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/\(log)/" + $1)
                return $0 + ((attributes[.size] as? NSNumber)?.int64Value ?? 0)
            }
        }
        #expect(final.rollupBytesWritten == (try size("rollups")) && final.rollupBytesWritten > 0)
        #expect(final.quarantineBytesWritten == (try size("quarantine")) && final.quarantineBytesWritten > 0)
        #expect(final.ingestLagMillis == 0)
    }

    @Test func reconnectsCountTheConnectionsAcceptedAfterTheFirst() {
        let connection = ConnectionState()
        #expect(connection.snapshot.reconnects == 0)
        connection.connected(atMillis: 1)
        #expect(connection.snapshot.reconnects == 0)
        for millis: Int64 in [2, 3] {
            connection.disconnected()
            connection.connected(atMillis: millis)
        }
        #expect(connection.snapshot.reconnects == 2)
    }
}
