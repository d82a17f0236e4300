import Foundation
import Testing

@testable import Telemetry

/// `PipelineStats.quarantinedByDevice`: which device each quarantine is charged to, its bound,
/// its arithmetic and its place in the checkpoint.
@Suite("Quarantines by device")
struct QuarantineByDeviceTests {
    static let now: Int64 = 1_763_712_000_000

    private func makePipeline(
        _ sink: CollectingSink = CollectingSink(), maxSeries: Int = 250_000, readingRecordsPerMessage: Int = 10
    ) throws -> IngestPipeline {
        let catalogue = MetricCatalogue(
            [MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...100)], strict: true)
        return try .forTesting(sink, catalogue: catalogue) {
            $0.maxSeries = maxSeries
            $0.maxNameBytes = 8
            $0.readingRecordsPerMessage = readingRecordsPerMessage
        }
    }

    private func device(_ name: String) -> DeviceKey { DeviceKey(park: "p", site: "s", device: name) }

    private func send(_ pipeline: IngestPipeline, _ device: String, _ payload: String) {
        pipeline.send(topic: "iiot/p/s/\(device)/telemetry", payload: payload, receivedAtMillis: Self.now)
    }

    /// Quarantines from every kind of fault, some with a device and some without.
    private func mixedTraffic(_ pipeline: IngestPipeline) {
        send(pipeline, "d1", "not json")
        send(pipeline, "d2", #"{"seq":1,"power_kw":500}"#)
        send(pipeline, "d2", #"{"seq":1,"power_kw":5}"#)
        send(pipeline, "d3", #"{"power_kw":5,"voltage":1}"#)
        send(pipeline, "far-too-long", #"{"power_kw":5}"#)
        pipeline.send(topic: "elsewhere", payload: #"{"power_kw":5}"#, receivedAtMillis: Self.now)
        Array("x".utf8).withUnsafeBytes { topic in
            Array("{}".utf8).withUnsafeBytes { payload in
                pipeline.quarantinePoison(
                    topic: topic, payload: payload, receivedAtNanos: Self.now * 1_000_000, detail: "test")
            }
        }
    }

    @Test func aQuarantineIsChargedToTheDeviceItsTopicNamesAndOnlyThen() throws {
        let pipeline = try makePipeline()
        mixedTraffic(pipeline)
        // malformed_payload; out_of_range then duplicate_seq; unknown_metric. The long device
        // name, the topic outside the pattern and the poison message name no device.
        #expect(pipeline.stats.quarantinedByDevice == [device("d1"): 1, device("d2"): 2, device("d3"): 1])
        #expect(pipeline.stats.quarantinedTotal == 7)
        #expect(pipeline.stats.readingsAccepted == 1)
    }

    @Test func aDeviceNeverAcceptedIsCountedAllTheSame() throws {
        let pipeline = try makePipeline()
        for _ in 0..<3 { send(pipeline, "broken", #"{"power_kw":"#) }
        #expect(pipeline.stats.quarantinedByDevice == [device("broken"): 3])
        #expect(pipeline.stats.readingsAccepted == 0 && pipeline.seriesCount == 0)
    }

    @Test func everyReadingOfASummaryRecordIsChargedToItsDevice() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, readingRecordsPerMessage: 2)
        send(pipeline, "d1", #"{"a":1,"b":1,"c":1,"d":1,"e":1}"#)
        #expect(sink.quarantined.count == 3, "two records one by one, then one summary of three")
        #expect(pipeline.stats.quarantined[.unknownMetric] == 5)
        #expect(pipeline.stats.quarantinedByDevice == [device("d1"): 5])
    }

    @Test func devicesBeyondTheSeriesLimitAreCountedInTheTotalsOnly() throws {
        let pipeline = try makePipeline(maxSeries: 2)
        for name in ["d1", "d2", "d3", "d4", "d5", "d1"] { send(pipeline, name, "nope") }
        #expect(pipeline.stats.quarantinedByDevice == [device("d1"): 2, device("d2"): 1])
        #expect(pipeline.stats.quarantined[.malformedPayload] == 6)
    }

    @Test func aPerDeviceCountSaturatesInsteadOfTrapping() throws {
        let pipeline = try makePipeline(readingRecordsPerMessage: 1)
        pipeline.stats.quarantinedByDevice[device("d1")] = Int.max - 2
        send(pipeline, "d1", #"{"a":1,"b":1,"c":1,"d":1,"e":1}"#)
        #expect(pipeline.stats.quarantinedByDevice[device("d1")] == Int.max)
    }

    @Test func perDeviceCountsSurviveACheckpointByteForByte() throws {
        let pipeline = try makePipeline()
        mixedTraffic(pipeline)
        let state = pipeline.checkpointState()
        let restored = try makePipeline()
        try restored.restoreState(state)
        #expect(restored.stats == pipeline.stats)
        #expect(restored.checkpointState() == state)
        #expect(try IngestPipeline.stats(inState: state, format: CheckpointFile.version) == pipeline.stats)
        send(restored, "d1", "still not json")
        #expect(restored.stats.quarantinedByDevice[device("d1")] == 2)
    }

    /// The last format-2 layout: the totals without `quarantinedByDevice`, the trailer present.
    private func formatTwoState(of pipeline: IngestPipeline) -> [UInt8] {
        let state = pipeline.checkpointState()
        var current = CheckpointWriter()
        pipeline.stats.encode(to: &current)
        var withoutDevices = pipeline.stats
        withoutDevices.quarantinedByDevice = [:]
        var old = CheckpointWriter()
        withoutDevices.encode(to: &old)
        // An empty map is its count alone: 8 bytes at the end of the totals. Format 5's two
        // retirement totals (16 bytes), format 6's quantile accuracy (8) and format 8's Sparkplug
        // sessions and totals (32, with no session) end the state; this traffic has no counter or
        // state, so format 4 added nothing before them.
        return Array(state[0..<8]) + old.bytes.dropLast(8) + state[(8 + current.bytes.count)..<(state.count - 24 - 32)]
    }

    @Test func aFormatTwoCheckpointFileIsStillReadWithNoPerDeviceCounts() throws {
        let pipeline = try makePipeline()
        mixedTraffic(pipeline)
        // Stopped cleanly: format 2 had open windows of every tier, which format 6 refuses.
        pipeline.flushAll()
        let old = formatTwoState(of: pipeline)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { unlink(path) }
        try write(old, version: 2, to: path)

        let stored = try #require(try CheckpointFile.load(from: path))
        #expect(stored.version == 2 && stored.payload == old)
        let restored = try makePipeline()
        try restored.restoreState(stored.payload, format: stored.version)
        var expected = pipeline.stats
        expected.quarantinedByDevice = [:]
        #expect(restored.stats == expected)
        #expect(try IngestPipeline.stats(inState: old, format: 2) == expected)
        send(restored, "d1", "not json either")
        #expect(restored.stats.quarantinedByDevice == [device("d1"): 1])
    }

    @Test func checkpointFilesOfAnUnknownFormatAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { unlink(path) }
        for version in [CheckpointFile.oldestReadableVersion - 1, CheckpointFile.version + 1] {
            try write([1, 2, 3], version: version, to: path)
            #expect(
                throws: CheckpointError.mismatch(
                    path: path, detail: "checkpoint format \(version), this gateway reads 2 to \(CheckpointFile.version)")
            ) { _ = try CheckpointFile.load(from: path) }
        }
    }

    /// A checkpoint file as `CheckpointFile.store` writes it, but in format `version`.
    private func write(_ payload: [UInt8], version: UInt64, to path: String) throws {
        var header = CheckpointWriter()
        header.write(CheckpointFile.magic)
        header.write(version)
        header.write(payload.count)
        header.write(UInt64(CRC32C.checksum(payload)))
        try Data(header.bytes + payload).write(to: URL(fileURLWithPath: path))
    }
}
