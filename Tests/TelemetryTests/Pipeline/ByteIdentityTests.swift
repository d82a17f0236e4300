import Testing

@testable import Telemetry

/// Issue 10 §4: through the pipeline, devices, metrics and states are told apart by their bytes,
/// as MQTT tells topics apart, and keep their exact bytes in rollups, quarantine records and
/// checkpoints.
@Suite("Byte identity through the pipeline")
struct ByteIdentityTests {
    static let nfc = NameTests.nfc
    static let nfd = NameTests.nfd
    static let now: Int64 = 1_763_712_000_000  // a multiple of 10 s
    static let catalogue = MetricCatalogue(
        [
            MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
            MetricDefinition(name: "machine_state", kind: .state, unit: ""),  // any state
        ], strict: false)

    private func makePipeline(_ sink: CollectingSink, catalogue: MetricCatalogue = catalogue) throws -> IngestPipeline {
        try .forTesting(sink, catalogue: catalogue)
    }

    private func send(_ pipeline: IngestPipeline, device: String = "d", seq: Int, offset: Int64, _ values: String) {
        pipeline.send(
            topic: "iiot/p/s/\(device)/telemetry",
            payload: #"{"seq":\#(seq),"ts":\#(Self.now + offset),"values":{\#(values)}}"#,
            receivedAtMillis: Self.now + offset)
    }

    private static func line(_ rollup: RollupWindow) -> [UInt8] {
        var line = JSONLineBuilder()
        rollup.write(to: &line)
        return line.bytes
    }

    private static func line(_ record: QuarantineRecord) -> [UInt8] {
        var line = JSONLineBuilder()
        record.write(to: &line)
        return line.bytes
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= bytes.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    @Test(arguments: [(NameTests.nfc, NameTests.nfd), (NameTests.letterA, NameTests.angstrom)])
    func devicesThatDifferOnlyInNormalisationAreTwoDevices(first: String, second: String) throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        for seq in 1...3 {
            for device in [first, second] {
                send(pipeline, device: device, seq: seq, offset: Int64(seq) * 1_000, #""temperature_c":\#(20 + seq)"#)
            }
        }
        #expect(pipeline.aggregator.deviceCount == 2)
        #expect(pipeline.seriesCount == 2)
        #expect(pipeline.stats.readingsAccepted == 6)
        #expect(pipeline.stats.quarantined[.duplicateSeq, default: 0] == 0)
        #expect(pipeline.stats.quarantinedTotal == 0 && pipeline.stats.seqMissing == 0)

        pipeline.flushAll()
        let windows = sink.rollups.filter { $0.tier.name == "10s" }
        #expect(windows.count == 2)
        #expect(Set(windows.map(\.series)).count == 2)
        #expect(windows.map { Array($0.series.device.device.utf8) } == [Array(first.utf8), Array(second.utf8)])
        #expect(windows.map(\.partial.count) == [3, 3])
        for (window, device) in zip(windows, [first, second]) {
            guard case .numeric(let partial) = window.partial else {
                Issue.record("expected a numeric window")
                continue
            }
            #expect(partial.sum == 66 && partial.first.timestampMillis == Self.now + 1_000)
            #expect(Self.contains(Self.line(window), #""site":"s","device":"\#(device)","metric":"temperature_c""#))
        }
    }

    @Test func metricNamesThatDifferOnlyInNormalisationAreTwoSeries() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        send(pipeline, seq: 1, offset: 1_000, #""\#(Self.nfc)":1,"\#(Self.nfd)":2"#)
        send(pipeline, seq: 2, offset: 2_000, #""\#(Self.nfd)":3"#)
        send(pipeline, seq: 3, offset: 3_000, #""cafe\u0301":4"#)  // escaped, the same bytes as nfd
        send(pipeline, seq: 4, offset: 4_000, #""caf\u00e9":5"#)  // escaped, the same bytes as nfc
        #expect(pipeline.seriesCount == 2)
        #expect(pipeline.stats.readingsAccepted == 5 && pipeline.stats.quarantinedTotal == 0)

        pipeline.flushAll()
        let windows = sink.rollups.filter { $0.tier.name == "10s" }
        #expect(windows.map { Array($0.series.metric.utf8) } == [Array(Self.nfc.utf8), Array(Self.nfd.utf8)])
        #expect(windows.map(\.partial.count) == [2, 3])
        #expect(Self.contains(Self.line(windows[0]), #""metric":"\#(Self.nfc)","kind":"gauge","unit":"","count":2,"sum":6.0"#))
        #expect(Self.contains(Self.line(windows[1]), #""metric":"\#(Self.nfd)","kind":"gauge","unit":"","count":3,"sum":9.0"#))
    }

    @Test func statesThatDifferOnlyInNormalisationAreCountedAndTimedApart() throws {
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink)
        // nfc [0, 1 s) and [3 s, 4 s); nfd [1 s, 3 s) and [4 s, 6 s); nfc again at 6 s (no time yet).
        send(pipeline, seq: 1, offset: 0, #""machine_state":"\#(Self.nfc)""#)
        send(pipeline, seq: 2, offset: 1_000, #""machine_state":"\#(Self.nfd)""#)
        send(pipeline, seq: 3, offset: 3_000, #""machine_state":"caf\u00e9""#)  // escaped nfc
        send(pipeline, seq: 4, offset: 4_000, #""machine_state":"cafe\u0301""#)  // escaped nfd
        send(pipeline, seq: 5, offset: 6_000, #""machine_state":"\#(Self.nfc)""#)
        #expect(pipeline.stats.readingsAccepted == 5 && pipeline.stats.quarantinedTotal == 0)

        pipeline.flushAll()
        let window = try #require(sink.rollups.first { $0.tier.name == "10s" })
        guard case .state(let partial) = window.partial else {
            Issue.record("expected a state window")
            return
        }
        #expect(partial.count == 5)
        #expect(partial.transitions == 4, "states are told apart by their bytes, so each reading changes the state")
        #expect(partial.stateCounts == [Name(Self.nfc): 3, Name(Self.nfd): 2])
        #expect(partial.stateMillis == [Name(Self.nfc): 2_000, Name(Self.nfd): 4_000])
        #expect(partial.first == .init(timestampMillis: Self.now, state: Self.nfc))
        #expect(partial.last == .init(timestampMillis: Self.now + 6_000, state: Self.nfc))
        // In byte order: nfd (63 61 66 65 CC 81) before nfc (63 61 66 C3 A9).
        #expect(
            Self.contains(
                Self.line(window),
                """
                "count":5,"state_count":{"\(Self.nfd)":2,"\(Self.nfc)":3},"state_ms":{"\(Self.nfd)":4000,"\(Self.nfc)":2000},\
                "transitions":4,"up_ms":0,"planned_ms":0,"availability":null,"longest_fault_ms":0,"leading_fault_ms":0,\
                "trailing_fault_ms":0,"first":{"ts":"2025-11-21T08:00:00.000Z","v":"\(Self.nfc)"},"last":{"ts":"2025-11-21T08:00:06.000Z","v":"\(Self.nfc)"}
                """))
    }

    @Test func aCatalogueStateListAllowsOnlyTheListedBytes() throws {
        let catalogue = MetricCatalogue([MetricDefinition(name: "machine_state", kind: .state, unit: "", states: [Self.nfc])])
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, catalogue: catalogue)
        send(pipeline, seq: 1, offset: 0, #""machine_state":"\#(Self.nfc)""#)
        send(pipeline, seq: 2, offset: 1_000, #""machine_state":"\#(Self.nfd)""#)
        send(pipeline, seq: 3, offset: 2_000, #""machine_state":"caf\u00e9""#)
        send(pipeline, seq: 4, offset: 3_000, #""machine_state":"cafe\u0301""#)
        #expect(pipeline.stats.readingsAccepted == 2)
        #expect(sink.quarantined.map(\.reason) == [.outOfRange, .outOfRange])
        #expect(
            sink.quarantined.map(\.detail)
                == Array(repeating: "machine_state = \"\(Self.nfd)\" is not one of \(Self.nfc)", count: 2))
        #expect(
            sink.quarantined.allSatisfy {
                Array($0.detail.utf8) == Array("machine_state = \"\(Self.nfd)\" is not one of \(Self.nfc)".utf8)
            })
    }

    @Test func quarantineRecordsCarryTheExactBytes() throws {
        let catalogue = MetricCatalogue([MetricDefinition(name: Self.nfc, kind: .gauge, unit: "")])
        let sink = CollectingSink()
        let pipeline = try makePipeline(sink, catalogue: catalogue)
        send(pipeline, device: Self.nfd, seq: 1, offset: 0, #""\#(Self.nfd)":1,"\#(Self.nfc)":2"#)
        #expect(pipeline.stats.readingsAccepted == 1)
        let record = try #require(sink.quarantined.first)
        #expect(sink.quarantined.count == 1 && record.reason == .unknownMetric)
        #expect(record.device == DeviceKey(park: "p", site: "s", device: Self.nfd))
        #expect(record.metric.map { Array($0.utf8) } == Array(Self.nfd.utf8))
        let line = Self.line(record)
        #expect(
            Self.contains(
                line,
                #""topic":"iiot/p/s/\#(Self.nfd)/telemetry","reason":"unknown_metric","detail":"metric \"\#(Self.nfd)\" is not in the catalogue""#
            ))
        #expect(Self.contains(line, #""park":"p","site":"s","device":"\#(Self.nfd)","metric":"\#(Self.nfd)","seq":1}"#))
    }

    @Test func aCheckpointKeepsTheExactBytes() throws {
        let originalSink = CollectingSink()
        let original = try makePipeline(originalSink)
        for (index, device) in [Self.nfc, Self.nfd].enumerated() {
            let other = index == 0 ? Self.nfd : Self.nfc
            send(original, device: device, seq: 1, offset: 0, #""machine_state":"\#(device)","\#(device)":1"#)
            send(original, device: device, seq: 3, offset: 2_000, #""machine_state":"\#(other)","\#(other)":2"#)
        }
        #expect(original.aggregator.deviceCount == 2 && original.seriesCount == 6)
        #expect(
            original.stats.seqMissingByDevice == [
                DeviceKey(park: "p", site: "s", device: Self.nfc): 1,
                DeviceKey(park: "p", site: "s", device: Self.nfd): 1,
            ])
        let state = original.checkpointState()

        let restoredSink = CollectingSink()
        let restored = try makePipeline(restoredSink)
        try restored.restoreState(state)
        #expect(restored.checkpointState() == state)
        #expect(restored.stats == original.stats)
        #expect(restored.aggregator.deviceCount == 2 && restored.seriesCount == 6)

        for pipeline in [original, restored] {
            send(pipeline, device: Self.nfd, seq: 2, offset: 3_000, #""machine_state":"\#(Self.nfd)""#)  // fills the gap
            send(pipeline, device: Self.nfd, seq: 3, offset: 4_000, #""machine_state":"\#(Self.nfd)""#)  // duplicate
            pipeline.flushAll()
        }
        #expect(restored.stats == original.stats)
        #expect(restored.stats.quarantined == [.duplicateSeq: 1] && restored.stats.seqMissing == 1)
        #expect(restoredSink.rollups == originalSink.rollups)
        #expect(restoredSink.rollups.map(Self.line) == originalSink.rollups.map(Self.line))
        let states = restoredSink.rollups.filter { $0.tier.name == "10s" }.compactMap { window -> StatePartial? in
            if case .state(let partial) = window.partial { return partial }
            return nil
        }
        #expect(states.count == 2)
        #expect(states.map(\.stateCounts) == [[Name(Self.nfc): 1, Name(Self.nfd): 1], [Name(Self.nfc): 1, Name(Self.nfd): 2]])
        #expect(states.map(\.stateMillis) == [[Name(Self.nfc): 2_000], [Name(Self.nfc): 1_000, Name(Self.nfd): 2_000]])
        #expect(states.map { $0.last.map { Array($0.state.utf8) } } == [Array(Self.nfd.utf8), Array(Self.nfd.utf8)])
    }
}
