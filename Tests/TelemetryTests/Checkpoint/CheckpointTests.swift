import Foundation
import Testing

@testable import Telemetry

@Suite("Checkpoints")
struct CheckpointTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...5000),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
    ])

    private func makePipeline(_ sink: CollectingSink) throws -> IngestPipeline {
        try .forTesting(sink, catalogue: Self.catalogue)
    }

    /// Deterministic traffic: 12 devices, every kind, seq with duplicates and gaps, some late data.
    private func messages(count: Int) -> [(topic: String, payload: String, received: Int64)] {
        var generator = SplitMix64(seed: 99)
        var energy = [Double](repeating: 0, count: 12)
        var seq = [UInt64](repeating: 0, count: 12)
        let states = ["running", "idle", "fault", "off"]
        var result: [(String, String, Int64)] = []
        for index in 0..<count {
            let device = index % 12
            let time: Int64 = 1_763_712_000_000 + Int64(index) * 250
            seq[device] += generator.next(below: 20) == 0 ? 2 : 1
            energy[device] = generator.next(below: 50) == 0 ? 0 : energy[device] + Double(generator.next(below: 100)) / 10
            let stamp = generator.next(below: 30) == 0 ? time - 60_000 : time
            let payload = """
                {"ts":\(stamp),"seq":\(generator.next(below: 25) == 0 ? max(1, seq[device] - 1) : seq[device]),"values":\
                {"power_kw":\(Double(generator.next(below: 50_000)) / 10),"energy_kwh":\(energy[device]),\
                "machine_state":"\(states[generator.next(below: 4)])"}}
                """
            result.append(("iiot/yen-my/f0\(device % 3)/mch-\(device)/telemetry", payload, time))
        }
        return result
    }

    private func feed(_ pipeline: IngestPipeline, _ messages: ArraySlice<(topic: String, payload: String, received: Int64)>) {
        for (index, message) in zip(messages.indices, messages) {
            pipeline.send(topic: message.topic, payload: message.payload, receivedAtMillis: message.received)
            if index % 40 == 0 { pipeline.closeWindows(ingestClockMillis: message.received) }
        }
    }

    @Test func aRestoredPipelineContinuesExactlyLikeTheOriginal() throws {
        let traffic = messages(count: 6_000)
        let originalSink = CollectingSink()
        let original = try makePipeline(originalSink)
        feed(original, traffic[0..<3_001])
        let state = original.checkpointState()
        let writtenBefore = originalSink.rollups.count
        let quarantinedBefore = originalSink.quarantined.count

        let restoredSink = CollectingSink()
        let restored = try makePipeline(restoredSink)
        try restored.restoreState(state)
        #expect(restored.stats == original.stats)
        #expect(restored.openWindowCount == original.openWindowCount && original.openWindowCount > 0)
        #expect(restored.checkpointState() == state)

        feed(original, traffic[3_001...])
        feed(restored, traffic[3_001...])
        original.flushAll()
        restored.flushAll()
        #expect(Array(originalSink.rollups[writtenBefore...]) == restoredSink.rollups)
        #expect(Array(originalSink.quarantined[quarantinedBefore...]) == restoredSink.quarantined)
        #expect(restored.stats == original.stats)
        #expect(original.stats.quarantined[.duplicateSeq, default: 0] > 0 && original.stats.quarantined[.tooLate, default: 0] > 0)
    }

    @Test func aDamagedCheckpointIsRefusedNotMisread() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        feed(pipeline, messages(count: 500)[...])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { unlink(path) }
        let state = pipeline.checkpointState()
        try CheckpointFile.store(state, to: path, sync: true)
        #expect(try CheckpointFile.load(from: path)?.payload == state)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.mismatch(path: path, detail: "checksum mismatch: the file is damaged")) {
            _ = try CheckpointFile.load(from: path)
        }
        #expect(try CheckpointFile.load(from: path + ".absent") == nil)
        #expect(try CheckpointFile.load(from: CheckpointFile.previousPath(of: path)) == nil, "the first store keeps no previous")
        for cut in [0, 1, state.count / 3, state.count - 1] {
            #expect(throws: CheckpointError.self) { try pipeline.restoreState(Array(state[0..<cut])) }
        }
    }

    /// Before format 6 a coarser tier's window held every reading, also those of its open finer
    /// windows, which merging them now would count twice: such a state is refused with the
    /// upgrade step, and one written after a clean stop (no open window) still restores.
    @Test func openWindowsOfAFormatBeforeTiersFromTiersAreRefusedWithTheUpgradeStep() throws {
        let pipeline = try makePipeline(CollectingSink())
        feed(pipeline, messages(count: 200)[...])
        #expect(pipeline.openWindowCount > 0)
        // Format 5 ends before format 6's quantile accuracy (8 bytes) and format 8's Sparkplug
        // sessions (here none: their count) and totals (32 bytes).
        let open = Array(pipeline.checkpointState().dropLast(8 + 32))
        #expect {
            try makePipeline(CollectingSink()).restoreState(open, format: 5)
        } throws: { error in
            guard case .invalid(let reason, _) = error as? CheckpointError else { return false }
            return reason.contains("older than checkpoint format 6") && reason.contains("stop it cleanly before upgrading")
        }
        try makePipeline(CollectingSink()).restoreState(pipeline.checkpointState())

        pipeline.flushAll()
        let stopped = Array(pipeline.checkpointState().dropLast(8 + 32))
        let restored = try makePipeline(CollectingSink())
        try restored.restoreState(stopped, format: 5)
        #expect(restored.stats == pipeline.stats && restored.openWindowCount == 0)
    }

    /// A state window keeps its transitions and fault runs across a checkpoint (format 7); one
    /// of format 6, which had neither, restores with none rather than being refused.
    @Test func aStateWindowsTransitionsAndFaultRunsSurviveACheckpointAndFormat6HasNone() throws {
        var partial = StatePartial()
        partial.count = 3
        partial.stateCounts = ["fault": 2, "running": 1]
        partial.stateMillis = ["fault": 6_000, "running": 1_500]
        partial.first = .init(timestampMillis: 1_000, state: "running")
        partial.last = .init(timestampMillis: 9_000, state: "fault")
        partial.transitions = 2
        partial.faults.credit(fromMillis: 2_500, toMillis: 4_000, windowStartMillis: 0)
        partial.faults.credit(fromMillis: 5_500, toMillis: 10_000, windowStartMillis: 0)
        var writer = CheckpointWriter()
        WindowPartial.state(partial).encode(to: &writer)

        var reader = CheckpointReader(writer.bytes)
        #expect(try WindowPartial(from: &reader, format: CheckpointFile.version) == .state(partial))
        #expect(reader.isAtEnd)

        // Format 6 ends after `last`: the five figures of format 7 (8 bytes each) are not there.
        var old = CheckpointReader(Array(writer.bytes.dropLast(5 * 8)))
        var withoutMeasures = partial
        (withoutMeasures.transitions, withoutMeasures.faults) = (0, FaultRuns())
        #expect(try WindowPartial(from: &old, format: 6) == .state(withoutMeasures))
        #expect(old.isAtEnd)
    }

    /// Open gauge windows' sketches restore only into a gateway of the same quantile accuracy:
    /// bins of another α are other intervals.
    @Test func openSketchesOfAnotherAccuracyAreRefusedNamingBoth() throws {
        let pipeline = try makePipeline(CollectingSink())
        feed(pipeline, messages(count: 200)[...])
        let state = pipeline.checkpointState()
        let other = try IngestPipeline.forTesting(CollectingSink(), catalogue: Self.catalogue) { $0.quantileAccuracy = 0.02 }
        #expect {
            try other.restoreState(state)
        } throws: { error in
            guard case .invalid(let reason, _) = error as? CheckpointError else { return false }
            return reason.contains("relative accuracy 0.01, but the configured one is 0.02")
        }
    }

    /// The gateway writes header and state into one reused writer; the bytes must be exactly
    /// what `IngestCheckpoint.encoded()` gives, so `init(decoding:)` reads them back.
    @Test func aStreamedCheckpointEqualsTheEncodedOne() throws {
        let pipeline = try makePipeline(CollectingSink())
        feed(pipeline, messages(count: 800)[...])
        let checkpoint = IngestCheckpoint(
            ringPosition: 4_096, rollupLog: LogPosition(nextRotationSequence: 3, currentBytes: 12_345),
            quarantineLog: LogPosition(nextRotationSequence: 1, currentBytes: 99), createdAtMillis: 1_763_700_000_000,
            pipelineState: pipeline.checkpointState())
        var writer = CheckpointWriter()
        writer.write(Int64(7))
        writer.removeAll()
        IngestCheckpoint.writeHeader(
            ringPosition: checkpoint.ringPosition, rollupLog: checkpoint.rollupLog,
            quarantineLog: checkpoint.quarantineLog, createdAtMillis: checkpoint.createdAtMillis,
            to: &writer)
        pipeline.writeCheckpointState(to: &writer)
        #expect(writer.bytes == checkpoint.encoded())
        #expect(try IngestCheckpoint(decoding: writer.bytes) == checkpoint)
    }

    @Test func theReplacedCheckpointIsKeptAsTheFallback() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        let previous = CheckpointFile.previousPath(of: path)
        defer { unlink(path); unlink(previous) }
        for generation in 1...3 {
            try CheckpointFile.store(Array(repeating: UInt8(generation), count: 100), to: path, sync: false)
        }
        #expect(try CheckpointFile.load(from: path)?.payload == Array(repeating: 3, count: 100))
        #expect(try CheckpointFile.load(from: previous)?.payload == Array(repeating: 2, count: 100))
    }
}
