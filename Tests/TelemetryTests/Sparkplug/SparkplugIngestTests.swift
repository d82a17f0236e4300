import SparkplugB
import Testing

@testable import Telemetry

/// Sparkplug B through the whole pipeline, with payloads encoded by swift-protobuf from the
/// generated code (`SparkplugB`): births define metrics, DATA resolves aliases, `seq` and
/// `bdSeq` keep the session, and what cannot be read is quarantined with its reason and a
/// rebirth request.
@Suite("Sparkplug B ingest")
struct SparkplugIngestTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault"]),
        MetricDefinition(name: "door_open", kind: .state, unit: "", states: ["true", "false"]),
    ])
    static let t: Int64 = 1_765_000_000_000
    static let node = DeviceKey(park: "plant", site: "edge1", device: "edge1")
    static let m1 = DeviceKey(park: "plant", site: "edge1", device: "m1")

    final class Bed {
        let sink = CollectingSink()
        let commands = RecordingSparkplugCommands()
        let pipeline: IngestPipeline

        init(sparkplug: SparkplugSubscription? = SparkplugSubscription(), maxSeries: Int = 1_000) throws {
            var settings = PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern))
            settings.sparkplug = sparkplug
            settings.maxSeries = maxSeries
            pipeline = IngestPipeline(
                settings: settings, catalogue: SparkplugIngestTests.catalogue, sink: sink, sparkplugCommands: commands)
        }

        func send(
            _ type: String, device: String? = nil, edge: String = "edge1", _ payload: SparkplugPayload, at millis: Int64
        )
            throws
        {
            let topic = "spBv1.0/plant/\(type)/\(edge)" + (device.map { "/\($0)" } ?? "")
            send(topic: topic, bytes: try SparkplugPayloadEncoder().encode(payload), at: millis)
        }

        func send(topic: String, bytes: [UInt8], at millis: Int64) {
            var topicBytes = Array(topic.utf8)
            var payload = bytes
            topicBytes.withUnsafeMutableBytes { topicBuffer in
                payload.withUnsafeMutableBytes { payloadBuffer in
                    pipeline.ingest(
                        topic: UnsafeRawBufferPointer(topicBuffer), payload: UnsafeRawBufferPointer(payloadBuffer),
                        receivedAtNanos: millis * 1_000_000)
                }
            }
        }

        /// The 10 s window of `metric` on `device` after a flush.
        func window(_ device: DeviceKey, _ metric: String) -> RollupWindow? {
            sink.rollups.first { $0.tier.name == "10s" && $0.series == SeriesKey(device: device, metric: metric) }
        }

        func numeric(_ device: DeviceKey, _ metric: String) -> NumericPartial? {
            guard case .numeric(let partial) = window(device, metric)?.partial else { return nil }
            return partial
        }
    }

    static func metric(
        _ name: String?, alias: UInt64? = nil, _ datatype: SparkplugDataType?, _ field: SparkplugValueField?,
        at millis: Int64? = nil
    ) -> SparkplugMetric {
        SparkplugMetric(
            name: name, alias: alias, timestamp: millis.map { UInt64($0) }, datatype: datatype?.rawValue, field: field)
    }

    /// NBIRTH of edge1 (bdSeq `bdSeq`, seq `seq`): temperature_c (alias 1) and parts_total (alias 2).
    static func nodeBirth(
        bdSeq: UInt64 = 0, seq: UInt64 = 0, temperature: Double = 20, at millis: Int64 = t
    )
        -> SparkplugPayload
    {
        SparkplugPayload(
            timestamp: UInt64(millis), seq: seq,
            metrics: [
                metric("bdSeq", .int64, .long(bdSeq)),
                metric("Node Control/Rebirth", .boolean, .boolean(false)),
                metric("temperature_c", alias: 1, .double, .double(temperature), at: millis),
                metric("parts_total", alias: 2, .uint64, .long(100), at: millis),
            ])
    }

    /// DBIRTH of m1: machine_state (alias 3), door_open (alias 4).
    static func deviceBirth(seq: UInt64, at millis: Int64 = t) -> SparkplugPayload {
        SparkplugPayload(
            timestamp: UInt64(millis), seq: seq,
            metrics: [
                metric("machine_state", alias: 3, .string, .string("running"), at: millis),
                metric("door_open", alias: 4, .boolean, .boolean(false), at: millis),
            ])
    }

    @Test func birthsDefineMetricsAndDataReadsThemByAlias() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        try bed.send("DBIRTH", device: "m1", Self.deviceBirth(seq: 1), at: Self.t)
        try bed.send(
            "NDATA",
            SparkplugPayload(
                timestamp: UInt64(Self.t + 1_000), seq: 2,
                metrics: [
                    Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 1_000),
                    Self.metric(nil, alias: 2, nil, .long(130), at: Self.t + 1_000),
                ]), at: Self.t + 1_000)
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(
                timestamp: UInt64(Self.t + 2_000), seq: 3,
                metrics: [
                    Self.metric(nil, alias: 3, nil, .string("idle"), at: Self.t + 2_000),
                    Self.metric("door_open", nil, .boolean(true), at: Self.t + 2_000),
                ]), at: Self.t + 2_000)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        #expect(bed.pipeline.stats.readingsAccepted == 8)
        #expect(bed.commands.requests == [])
        bed.pipeline.flushAll()
        let temperature = try #require(bed.numeric(Self.node, "temperature_c"))
        #expect(temperature.count == 2 && temperature.sum == 42 && temperature.last.value == 22)
        #expect(bed.numeric(Self.node, "parts_total")?.increase == 30)
        #expect(bed.window(Self.m1, "machine_state")?.partial.count == 2)
        #expect(bed.window(Self.m1, "door_open")?.partial.count == 2)
    }

    @Test func dataOfANodeNeverBornIsQuarantinedAndARebirthRequestedOncePerInterval() throws {
        let bed = try Bed()
        let data = SparkplugPayload(seq: 7, metrics: [Self.metric(nil, alias: 1, nil, .double(21), at: Self.t)])
        try bed.send("NDATA", data, at: Self.t)
        try bed.send("NDATA", data, at: Self.t + 4_999)
        try bed.send("NDATA", data, at: Self.t + 5_000)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn, .sparkplugNotBorn, .sparkplugNotBorn])
        #expect(
            bed.sink.quarantined.first?.detail
                == "NDATA from edge node plant/edge1, which has no NBIRTH in force; rebirth requested")
        #expect(bed.sink.quarantined[1].detail.hasSuffix("; a rebirth was requested less than 5000 ms before"))
        #expect(bed.sink.quarantined.first?.device == Self.node && bed.sink.quarantined.first?.seq == 7)
        #expect(bed.commands.requests == ["plant/edge1", "plant/edge1"])
        #expect(bed.pipeline.stats.sparkplugRebirthRequests == 2)

        // The rebirth: what follows it is read.
        try bed.send("NBIRTH", Self.nodeBirth(seq: 0, at: Self.t + 5_100), at: Self.t + 5_100)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Self.metric(nil, alias: 1, nil, .double(23), at: Self.t + 5_200)]),
            at: Self.t + 5_200)
        #expect(bed.sink.quarantined.count == 3)
        #expect(bed.pipeline.stats.readingsAccepted == 3)
    }

    @Test func aGapInSeqQuarantinesTheMessageRequestsARebirthAndTheSequenceGoesOn() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(seq: 254), at: Self.t)
        func data(_ seq: UInt64, _ value: Double, _ offset: Int64) throws {
            try bed.send(
                "NDATA",
                SparkplugPayload(seq: seq, metrics: [Self.metric(nil, alias: 1, nil, .double(value), at: Self.t + offset)]),
                at: Self.t + offset)
        }
        try data(255, 21, 100)  // next
        try data(0, 22, 200)  // wraps: next
        try data(2, 23, 300)  // seq 1 lost
        try data(3, 24, 400)  // goes on from 2
        try data(3, 24, 400)  // the same again
        try data(1, 25, 500)  // the lost one, late
        #expect(
            bed.sink.quarantined.map(\.reason) == [.sparkplugSeqGap, .duplicateSeq, .sparkplugOutOfOrder])
        #expect(
            bed.sink.quarantined.map(\.detail) == [
                "seq 2 where 1 was next: 1 message of this edge node lost; rebirth requested",
                "seq 3 was already received from this edge node in its session (bdSeq 0)",
                "seq 1 arrived after seq 3, out of order",
            ])
        #expect(bed.commands.requests == ["plant/edge1"])
        bed.pipeline.flushAll()
        // The birth's 20, then 21, 22 and 24.
        #expect(bed.numeric(Self.node, "temperature_c")?.sum == 87)
    }

    @Test func anNDeathIsHonouredOnlyWithTheBdSeqOfTheBirth() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(bdSeq: 5), at: Self.t)
        try bed.send("DBIRTH", device: "m1", Self.deviceBirth(seq: 1), at: Self.t)
        let death = { (bdSeq: UInt64) in SparkplugPayload(metrics: [Self.metric("bdSeq", .int64, .long(bdSeq))]) }
        try bed.send("NDEATH", death(4), at: Self.t + 100)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugStaleDeath])
        #expect(
            bed.sink.quarantined.first?.detail
                == "NDEATH with bdSeq 4, but its NBIRTH had bdSeq 5: an earlier session's death, ignored")
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 2, metrics: [Self.metric(nil, alias: 3, nil, .string("fault"), at: Self.t + 200)]),
            at: Self.t + 200)
        #expect(bed.sink.quarantined.count == 1)

        try bed.send("NDEATH", death(5), at: Self.t + 300)
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 3, metrics: [Self.metric(nil, alias: 3, nil, .string("idle"), at: Self.t + 400)]),
            at: Self.t + 400)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugStaleDeath, .sparkplugNotBorn])
        #expect(bed.pipeline.stats.readingsAccepted == 5)
    }

    @Test func aDeviceIsReadOnlyFromItsBirthToItsDeath() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        let data = { (seq: UInt64) in
            SparkplugPayload(seq: seq, metrics: [Self.metric("machine_state", nil, .string("idle"), at: Self.t + 100)])
        }
        try bed.send("DDATA", device: "m1", data(1), at: Self.t + 100)
        try bed.send("DBIRTH", device: "m1", Self.deviceBirth(seq: 2), at: Self.t + 200)
        try bed.send("DDATA", device: "m1", data(3), at: Self.t + 300)
        try bed.send("DDEATH", device: "m1", SparkplugPayload(seq: 4), at: Self.t + 400)
        try bed.send("DDATA", device: "m1", data(5), at: Self.t + 500)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn, .sparkplugNotBorn])
        #expect(
            bed.sink.quarantined.first?.detail
                == "DDATA from device m1 of edge node plant/edge1, which has no DBIRTH in force; rebirth requested")
        #expect(bed.sink.quarantined.map(\.device) == [Self.m1, Self.m1])
        // Node birth 2, device birth 2, one DDATA.
        #expect(bed.pipeline.stats.readingsAccepted == 5)
    }

    @Test func aRebirthRestatesValuesWithoutCountingThemTwice() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 1_000)]),
            at: Self.t + 1_000)
        // The rebirth restates temperature_c at its DATA's time, parts_total (unchanged since
        // the first birth) at the birth's; a later value is new.
        var rebirth = Self.nodeBirth(temperature: 22, at: Self.t + 1_000)
        rebirth.metrics[3].timestamp = UInt64(Self.t)
        try bed.send("NBIRTH", rebirth, at: Self.t + 1_500)
        var later = Self.nodeBirth(temperature: 23, at: Self.t + 2_000)
        later.metrics[3].timestamp = UInt64(Self.t)
        try bed.send("NBIRTH", later, at: Self.t + 2_000)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        #expect(bed.pipeline.stats.sparkplugRestatedValues == 3)
        bed.pipeline.flushAll()
        #expect(bed.numeric(Self.node, "temperature_c").map { ($0.count, $0.sum) } ?? (0, 0) == (3, 65))
        #expect(bed.numeric(Self.node, "parts_total")?.count == 1)
    }

    @Test func metricsNoBirthDefinedAndDatatypesThatAreNoReadingAreQuarantinedOneByOne() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        try bed.send(
            "DBIRTH", device: "m1",
            SparkplugPayload(
                seq: 1,
                metrics: [
                    Self.metric("machine_state", alias: 3, .string, .string("running"), at: Self.t),
                    Self.metric("photo", alias: 5, .bytes, .bytes([1, 2]), at: Self.t),
                    Self.metric("serviced_at", alias: 6, .dateTime, .long(UInt64(Self.t)), at: Self.t),
                    Self.metric("temperature_c", alias: 7, .double, .string("hot"), at: Self.t),
                    Self.metric("parts_total", alias: 8, .int32, .boolean(true), at: Self.t),
                ]), at: Self.t)
        try bed.send(
            "NDATA",
            SparkplugPayload(
                seq: 2,
                metrics: [
                    Self.metric(nil, alias: 99, nil, .double(1), at: Self.t + 100),
                    Self.metric(nil, alias: 3, nil, .string("idle"), at: Self.t + 100),
                    Self.metric("humidity_pct", nil, .double(50), at: Self.t + 100),
                    Self.metric(nil, alias: 1, nil, .double(25), at: Self.t + 100),
                ]), at: Self.t + 100)
        #expect(
            bed.sink.quarantined.map(\.reason) == [
                .sparkplugUnsupportedType, .sparkplugUnsupportedType, .sparkplugUnsupportedType, .sparkplugUnsupportedType,
                .sparkplugUnknownMetric, .sparkplugUnknownMetric, .sparkplugUnknownMetric,
            ])
        #expect(
            bed.sink.quarantined.map(\.detail) == [
                "photo: a Bytes metric is not a reading",
                "serviced_at: a DateTime is a moment, not a measurement",
                "temperature_c: a Double metric whose value is a string",
                "parts_total: a Int32 metric whose value is a boolean",
                "alias 99 is not defined by the birth of edge node edge1",
                "alias 3 is not defined by the birth of edge node edge1",
                "metric humidity_pct is not defined by the birth of edge node edge1",
            ])
        #expect(
            bed.sink.quarantined.map(\.metric) == [
                "photo", "serviced_at", "temperature_c", "parts_total", nil, nil, "humidity_pct",
            ])
        #expect(bed.commands.requests == ["plant/edge1"])
        // Both births' readings and the last NDATA metric.
        #expect(bed.pipeline.stats.readingsAccepted == 4)
    }

    @Test func booleansAndStringsAreStatesOnlyWhereTheCatalogueSaysSo() throws {
        let bed = try Bed()
        try bed.send(
            "NBIRTH",
            SparkplugPayload(
                seq: 0,
                metrics: [
                    Self.metric("door_open", .boolean, .boolean(true), at: Self.t),
                    Self.metric("temperature_c", .boolean, .boolean(true), at: Self.t),
                    Self.metric("machine_state", .string, .string("exploded"), at: Self.t),
                    Self.metric("machine_state", .int16, .int(0xFFFD), at: Self.t),
                ]), at: Self.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.malformedPayload])
        #expect(bed.sink.quarantined.first?.detail == "NBIRTH: the metric machine_state is defined twice")
        try bed.send(
            "NBIRTH",
            SparkplugPayload(
                seq: 0,
                metrics: [
                    Self.metric("door_open", .boolean, .boolean(true), at: Self.t),
                    Self.metric("temperature_c", .boolean, .boolean(true), at: Self.t),
                    Self.metric("machine_state", .string, .string("exploded"), at: Self.t),
                    Self.metric("parts_total", .int16, .int(0xFFFD), at: Self.t),
                ]), at: Self.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.malformedPayload, .wrongType, .outOfRange, .outOfRange])
        #expect(bed.sink.quarantined.last?.detail == "parts_total = -3 outside [0, 1000000000000]")
        #expect(bed.pipeline.stats.readingsAccepted == 1)
    }

    @Test func payloadsTopicsAndMessagesForOtherPartiesAreSortedOut() throws {
        let bed = try Bed()
        bed.send(topic: "spBv1.0/plant/NDATA/edge1", bytes: [0x12, 0x05, 0x01], at: Self.t)
        bed.send(topic: "spBv1.0/plant/NDATA", bytes: [], at: Self.t)
        bed.send(topic: "spBv1.0/plant/DDATA/edge1", bytes: [], at: Self.t)
        bed.send(topic: "spBv1.0/plant/NDATA/edge1/m1", bytes: [], at: Self.t)
        bed.send(topic: "spBv1.0/plant/BIRTH/edge1", bytes: [], at: Self.t)
        bed.send(topic: "spBv1.0/STATE/scada", bytes: Array(#"{"online":true,"timestamp":1}"#.utf8), at: Self.t)
        try bed.send(
            "NCMD", SparkplugPayload(metrics: [Self.metric("Node Control/Rebirth", .boolean, .boolean(true))]), at: Self.t)
        #expect(
            bed.sink.quarantined.map(\.reason) == [
                .malformedPayload, .topicMismatch, .topicMismatch, .topicMismatch, .topicMismatch,
            ])
        #expect(
            bed.sink.quarantined.map(\.detail) == [
                "not a Sparkplug B payload: the value at byte 1 runs past the end of its message",
                "not a Sparkplug B topic: expected spBv1.0/{group}/{message type}/{edge node}[/{device}]",
                "not a Sparkplug B topic: a DDATA topic is spBv1.0/{group}/DDATA/{edge node}/{device}",
                "not a Sparkplug B topic: a NDATA topic is spBv1.0/{group}/NDATA/{edge node}",
                "not a Sparkplug B topic: expected spBv1.0/{group}/{message type}/{edge node}[/{device}]",
            ])
        // A binary payload's excerpt is written in base64, not lost to replacement characters.
        #expect(bed.sink.quarantined.first?.payloadExcerpt == "EgUB")
        #expect(bed.sink.quarantined.allSatisfy { $0.payloadIsBase64 })
        var line = JSONLineBuilder()
        bed.sink.quarantined[0].write(to: &line)
        #expect(
            String(decoding: line.bytes, as: UTF8.self).contains(
                #""payload":"EgUB","payload_bytes":3,"payload_encoding":"base64""#))
        #expect(bed.pipeline.stats.sparkplugCommandsSkipped == 2)
        #expect(bed.pipeline.stats.messages == 7)
    }

    @Test func withoutASparkplugSubscriptionTheNamespaceIsNoSubscriptionsTopic() throws {
        let bed = try Bed(sparkplug: nil)
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.topicMismatch])
        #expect(bed.commands.requests == [])
    }

    @Test func sessionsSurviveACheckpointAndARestart() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(bdSeq: 3), at: Self.t)
        try bed.send("DBIRTH", device: "m1", Self.deviceBirth(seq: 1), at: Self.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 2, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 100)]),
            at: Self.t + 100)
        let state = bed.pipeline.checkpointState()

        let restarted = try Bed()
        try restarted.pipeline.restoreState(state)
        try restarted.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 3, metrics: [Self.metric(nil, alias: 3, nil, .string("idle"), at: Self.t + 200)]),
            at: Self.t + 200)
        try restarted.send(
            "NDATA", SparkplugPayload(seq: 2, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 100)]),
            at: Self.t + 300)
        try restarted.send(
            "NDEATH", SparkplugPayload(metrics: [Self.metric("bdSeq", .int64, .long(3))]), at: Self.t + 400)
        try restarted.send(
            "NDATA", SparkplugPayload(seq: 4, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 500)]),
            at: Self.t + 500)
        #expect(restarted.sink.quarantined.map(\.reason) == [.duplicateSeq, .sparkplugNotBorn])
        #expect(restarted.pipeline.stats.readingsAccepted == bed.pipeline.stats.readingsAccepted + 1)
        // The restored state writes itself back byte for byte.
        let again = try Bed()
        try again.pipeline.restoreState(state)
        #expect(again.pipeline.checkpointState() == state)
    }

    @Test func aCheckpointOfFormat7RestoresWithNoSessions() throws {
        let bed = try Bed()
        try bed.send("DATA", SparkplugPayload(), at: Self.t)
        let state = bed.pipeline.checkpointState()
        let restarted = try Bed()
        // Format 7 ends before the sessions (none: their count) and the three Sparkplug totals.
        try restarted.pipeline.restoreState(Array(state.dropLast(32)), format: 7)
        #expect(restarted.pipeline.stats == bed.pipeline.stats)
        #expect(restarted.pipeline.sparkplug.count == 0)
    }

    @Test func aBirthsNullValuesDefineMetricsButAreNoReadings() throws {
        let bed = try Bed()
        var birth = Self.nodeBirth()
        birth.metrics[2].isNull = true
        birth.metrics[2].field = nil
        try bed.send("NBIRTH", birth, at: Self.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + 100)]),
            at: Self.t + 100)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        bed.pipeline.flushAll()
        #expect(bed.numeric(Self.node, "temperature_c")?.count == 1)
        #expect(bed.numeric(Self.node, "parts_total")?.count == 1)
    }

    @Test func edgeNodesNoLongerOnlineAreRetiredWhenSilentAndOnlineOnesStay() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        try bed.send("NBIRTH", edge: "edge2", Self.nodeBirth(), at: Self.t)
        try bed.send("NDEATH", edge: "edge2", SparkplugPayload(metrics: [Self.metric("bdSeq", .int64, .long(0))]), at: Self.t)
        try bed.send("NDATA", edge: "edge3", SparkplugPayload(seq: 0), at: Self.t)
        #expect(bed.pipeline.sparkplug.count == 3)
        let hour = bed.pipeline.settings.retireAfterMillis
        _ = bed.pipeline.retireSilentDevices(ingestClockMillis: Self.t + hour - 1)
        #expect(bed.pipeline.sparkplug.count == 3)
        _ = bed.pipeline.retireSilentDevices(ingestClockMillis: Self.t + hour)
        #expect(bed.pipeline.sparkplug.nodes.map(\.edgeNode) == ["edge1"])
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Self.metric(nil, alias: 1, nil, .double(22), at: Self.t + hour)]),
            at: Self.t + hour)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn])
    }

    @Test func whatBirthsMakeTheGatewayRememberIsBoundedByTheSeriesLimit() throws {
        let bed = try Bed(maxSeries: 5)
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t)
        let birth = { (seq: UInt64, names: [String]) in
            SparkplugPayload(seq: seq, metrics: names.map { Self.metric($0, .double, nil) })
        }
        try bed.send("DBIRTH", device: "m1", birth(1, ["temperature_c", "parts_total"]), at: Self.t)
        try bed.send("DBIRTH", device: "m1", birth(2, ["temperature_c"]), at: Self.t)
        for (seq, device) in (3...7).map({ (UInt64($0), "m\($0 - 1)") }) {
            try bed.send("DBIRTH", device: device, birth(seq, []), at: Self.t)
        }
        try bed.send("DBIRTH", device: "m1", birth(8, [String(repeating: "x", count: 129)]), at: Self.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.cardinalityLimit, .cardinalityLimit, .nameTooLong])
        #expect(
            bed.sink.quarantined.map(\.detail) == [
                "DBIRTH of 2 metrics beyond ingest.max_series (5 metrics of Sparkplug B births in memory)",
                "new Sparkplug B device beyond ingest.max_series (5 devices of edge nodes in memory)",
                "DBIRTH metric 1: name of 129 bytes exceeds ingest.max_name_bytes (128)",
            ])
        #expect(bed.pipeline.sparkplug.metricTotal == 5 && bed.pipeline.sparkplug.deviceTotal == 5)
        // An NBIRTH replaces every definition of the node.
        try bed.send("NBIRTH", Self.nodeBirth(), at: Self.t + 1)
        #expect(bed.pipeline.sparkplug.metricTotal == 4 && bed.pipeline.sparkplug.deviceTotal == 0)
    }
}
