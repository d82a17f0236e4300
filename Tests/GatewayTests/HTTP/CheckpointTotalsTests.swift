import Foundation
import Telemetry
import Testing

@testable import Gateway

/// `gateway serve`'s per-device counts, read from the checkpoint of the gateway beside it.
@Suite("Checkpoint totals")
struct CheckpointTotalsTests {
    private final class DiscardingSink: IngestSink {
        func write(_ rollup: RollupWindow) {}
        func write(_ record: QuarantineRecord) {}
    }

    private func send(_ pipeline: IngestPipeline, _ device: String, _ payload: String) {
        Array("iiot/p/s/\(device)/telemetry".utf8).withUnsafeBytes { topic in
            Array(payload.utf8).withUnsafeBytes {
                pipeline.ingest(topic: topic, payload: $0, receivedAtNanos: 1_764_547_200_000_000_000)
            }
        }
    }

    /// Stores `pipeline`'s state as the gateway's checkpoint keeper would.
    private func store(_ pipeline: IngestPipeline, createdAtMillis: Int64, in directory: String) throws {
        let start = LogPosition(nextRotationSequence: 1, currentBytes: 0)
        let checkpoint = IngestCheckpoint(
            ringPosition: 0, rollupLog: start, quarantineLog: start, createdAtMillis: createdAtMillis,
            pipelineState: pipeline.checkpointState())
        try CheckpointFile.store(checkpoint.encoded(), to: directory + "/checkpoint", sync: false)
    }

    @Test func theCountsAreTheLastCheckpointsReadAgainWhenANewOneIsStored() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("totals-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let totals = CheckpointTotals(dataDirectory: directory)
        #expect(totals.deviceCounts() == nil, "no checkpoint yet")

        let pipeline = IngestPipeline(
            settings: PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern)),
            catalogue: MetricCatalogue([], strict: false), sink: DiscardingSink())
        send(pipeline, "d1", "nope")
        send(pipeline, "d2", #"{"seq":1,"x":1}"#)
        send(pipeline, "d2", #"{"seq":5,"x":1}"#)
        try store(pipeline, createdAtMillis: 1_000, in: directory)
        let first = try #require(totals.deviceCounts())
        #expect(first == DeviceCounts(pipeline.stats, takenAtMillis: 1_000))
        #expect(first.quarantined == [DeviceKey(park: "p", site: "s", device: "d1"): 1])
        #expect(first.seqMissing == [DeviceKey(park: "p", site: "s", device: "d2"): 3])

        send(pipeline, "d1", "nope again")
        try store(pipeline, createdAtMillis: 2_000, in: directory)
        let second = try #require(totals.deviceCounts())
        #expect(second.takenAtMillis == 2_000)
        #expect(second.quarantined == [DeviceKey(park: "p", site: "s", device: "d1"): 2])

        // A damaged newest checkpoint: the one before it, as recovery would use.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: directory + "/checkpoint"))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: Data([0xFF, 0xFF]))
        try handle.close()
        #expect(totals.deviceCounts()?.takenAtMillis == 1_000)
    }
}
