import Foundation
import Testing

@testable import Telemetry

/// The keeper hands checkpoints to its store thread and frees the write-ahead ring only once one
/// is stored; a store that fails frees nothing.
@Suite("Checkpoint keeper")
struct CheckpointKeeperTests {
    /// A file-backed ring, a pipeline and both logs in a fresh directory.
    final class Fixture {
        let directory: URL
        let ring: MessageRing
        let pipeline: IngestPipeline
        let sink: LogSink
        let log = RecordingObserver()

        init(quarantinePolicy: LogPolicy = LogPolicy(fsync: .never)) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("keeper-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            ring = try MessageRing.openFile(atPath: directory.appendingPathComponent("ingest.ring").path, capacityBytes: 1 << 20)
            let rollups = try SegmentedLog(
                directory: directory.appendingPathComponent("rollups").path, baseName: "rollups",
                policy: LogPolicy(fsync: .never), nowMillis: 0)
            let quarantine = try SegmentedLog(
                directory: directory.appendingPathComponent("quarantine").path, baseName: "quarantine",
                policy: quarantinePolicy, nowMillis: 0)
            sink = LogSink(rollups: rollups, quarantine: quarantine, observer: log)
            pipeline = IngestPipeline(
                settings: PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern)),
                catalogue: MetricCatalogue([MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C")]), sink: sink)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// Where the keeper stores its checkpoint.
        var checkpointPath: String { directory.appendingPathComponent("checkpoint").path }

        /// A keeper of this fixture's pipeline, ring and logs, checkpointing at every chance.
        func keeper(sync: Bool = false, path: String? = nil) -> CheckpointKeeper {
            CheckpointKeeper(
                path: path ?? checkpointPath, intervalMillis: 0, sync: sync, pipeline: pipeline, ring: ring, sink: sink,
                observer: log)
        }

        /// Pushes `count` messages (malformed ones with `malformed`) and ingests them.
        func ingest(_ count: Int, malformed: Bool = false) {
            let topic = Array("iiot/yen-my/f01/env-0003/telemetry".utf8)
            for index in 0..<count {
                let payload =
                    malformed
                    ? Array("not json \(index)".utf8)
                    : Array(#"{"ts":1763712000\#(index % 10)00,"seq":\#(index + 1),"values":{"temperature_c":20}}"#.utf8)
                let pushed = topic.withUnsafeBytes { t in
                    payload.withUnsafeBytes { ring.tryPush(topic: t, payload: $0, receivedAtNanos: 1_763_712_001_000_000_000) }
                }
                #expect(pushed)
            }
            _ = ring.consume(maxMessages: .max) {
                pipeline.ingest(topic: $0.topic, payload: $0.payload, receivedAtNanos: $0.receivedAtNanos)
            }
        }
    }

    /// Retention deletes old quarantine segments after a checkpoint, but never one that the
    /// checkpoint before the last (the fallback) may need to cut the log back.
    @Test func retentionKeepsWhatTheFallbackCheckpointNeeds() throws {
        let fixture = try Fixture(quarantinePolicy: LogPolicy(maxSegmentBytes: 1_024, fsync: .never, retainBytes: 1))
        let keeper = fixture.keeper()
        defer { keeper.stop() }
        let segments = fixture.sink.quarantine.segments
        var fallbackNext: [Int] = []
        for round in 1...4 {
            for _ in 0..<3 {
                fixture.ingest(5, malformed: true)
                fixture.sink.flush(nowMillis: Int64(round))
            }
            fallbackNext.append(fixture.sink.quarantine.position.nextRotationSequence)
            #expect(keeper.takeIfDue(nowMillis: Int64(round), force: true))
        }
        // After the fourth checkpoint the fallback is the third: everything rotated before it goes.
        let kept = try segments.list().compactMap(\.sequence)
        #expect(kept.first == fallbackNext[2])
        #expect(kept == Array(fallbackNext[2]..<fixture.sink.quarantine.position.nextRotationSequence))
        #expect(fixture.log.events.contains { $0.contains("retention: deleted") })
    }

    @Test func theRingIsFreedOnlyOnceTheStoredCheckpointIsOnDisk() throws {
        let fixture = try Fixture()
        let path = fixture.checkpointPath
        let keeper = fixture.keeper(sync: false)
        defer { keeper.stop() }
        fixture.ingest(100)
        let consumed = fixture.ring.consumedPosition
        #expect(keeper.takeIfDue(nowMillis: 1))
        #expect(fixture.ring.unreleasedBytes == consumed, "handed over, not yet stored: nothing freed")

        // Later passes free the ring once the store thread is done, and not before.
        var passes = 0
        while fixture.ring.unreleasedBytes > 0 && passes < 2_000 {
            usleep(1_000)
            fixture.ingest(0)
            keeper.takeIfDue(nowMillis: 2)
            passes += 1
        }
        #expect(fixture.ring.unreleasedBytes == 0)
        #expect(keeper.count == 1)
        let stored = try IngestCheckpoint(decoding: try #require(try CheckpointFile.load(from: path)).payload)
        #expect(stored.ringPosition == consumed)
        let restored = IngestPipeline(
            settings: fixture.pipeline.settings, catalogue: fixture.pipeline.catalogue, sink: fixture.sink)
        try restored.restoreState(stored.pipelineState)
        #expect(restored.stats.readingsAccepted == 100)
    }

    @Test func aForcedCheckpointWaitsForTheOneInFlightAndIsStoredOnReturn() throws {
        let fixture = try Fixture()
        let path = fixture.checkpointPath
        let keeper = fixture.keeper(sync: true)
        defer { keeper.stop() }
        fixture.ingest(10)
        #expect(keeper.takeIfDue(nowMillis: 1))
        fixture.ingest(20)
        #expect(keeper.takeIfDue(nowMillis: 2, force: true))
        #expect(fixture.ring.unreleasedBytes == 0)
        #expect(keeper.count == 2)
        #expect(
            try IngestCheckpoint(decoding: try #require(try CheckpointFile.load(from: path)).payload).ringPosition
                == fixture.ring.consumedPosition)
    }

    @Test func aStoreThatFailsFreesNothingAndIsLoggedOnce() throws {
        let fixture = try Fixture()
        let path = fixture.directory.appendingPathComponent("missing/checkpoint").path
        let keeper = fixture.keeper(path: path)
        defer { keeper.stop() }
        fixture.ingest(10)
        for now in Int64(1)...3 {
            #expect(!keeper.takeIfDue(nowMillis: now, force: true))
        }
        #expect(fixture.ring.unreleasedBytes == fixture.ring.consumedPosition && fixture.ring.unreleasedBytes > 0)
        #expect(keeper.count == 0)
        #expect(fixture.log.events.filter { $0.hasPrefix("error: cannot write checkpoint \(path)") }.count == 1)
    }
}
