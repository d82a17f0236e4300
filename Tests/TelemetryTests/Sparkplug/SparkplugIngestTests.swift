import SparkplugB
import Testing

@testable import Telemetry

/// Sparkplug B through the whole pipeline, with payloads encoded by swift-protobuf from the
/// generated code (`SparkplugB`): births define metrics, DATA resolves aliases, `seq` and
/// `bdSeq` keep the session, and what cannot be read is quarantined with its reason and a
/// rebirth request.
@Suite("Sparkplug B ingest")
struct SparkplugIngestTests {
    typealias Bed = SparkplugTestBed

    @Test func birthsDefineMetricsAndDataReadsThemByAlias() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        try bed.send("DBIRTH", device: "m1", Bed.deviceBirth(seq: 1), at: Bed.t)
        try bed.send(
            "NDATA",
            SparkplugPayload(
                timestamp: UInt64(Bed.t + 1_000), seq: 2,
                metrics: [
                    Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 1_000),
                    Bed.metric(nil, alias: 2, nil, .long(130), at: Bed.t + 1_000),
                ]), at: Bed.t + 1_000)
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(
                timestamp: UInt64(Bed.t + 2_000), seq: 3,
                metrics: [
                    Bed.metric(nil, alias: 3, nil, .string("idle"), at: Bed.t + 2_000),
                    Bed.metric("door_open", nil, .boolean(true), at: Bed.t + 2_000),
                ]), at: Bed.t + 2_000)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        #expect(bed.pipeline.stats.readingsAccepted == 8)
        #expect(bed.commands.requests == [])
        bed.pipeline.flushAll()
        let temperature = try #require(bed.numeric(Bed.node, "temperature_c"))
        #expect(temperature.count == 2 && temperature.sum == 42 && temperature.last.value == 22)
        #expect(bed.numeric(Bed.node, "parts_total")?.increase == 30)
        #expect(bed.window(Bed.m1, "machine_state")?.partial.count == 2)
        #expect(bed.window(Bed.m1, "door_open")?.partial.count == 2)
    }

    @Test func dataOfANodeNeverBornIsQuarantinedAndARebirthRequestedOncePerInterval() throws {
        let bed = try Bed()
        let data = SparkplugPayload(seq: 7, metrics: [Bed.metric(nil, alias: 1, nil, .double(21), at: Bed.t)])
        try bed.send("NDATA", data, at: Bed.t)
        try bed.send("NDATA", data, at: Bed.t + 4_999)
        try bed.send("NDATA", data, at: Bed.t + 5_000)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn, .sparkplugNotBorn, .sparkplugNotBorn])
        #expect(
            bed.sink.quarantined.first?.detail
                == "NDATA from edge node plant/edge1, which has no NBIRTH in force; rebirth requested")
        #expect(bed.sink.quarantined[1].detail.hasSuffix("; a rebirth was requested less than 5000 ms before"))
        #expect(bed.sink.quarantined.first?.device == Bed.node && bed.sink.quarantined.first?.seq == 7)
        #expect(bed.commands.requests == ["plant/edge1", "plant/edge1"])
        #expect(bed.pipeline.stats.sparkplugRebirthRequests == 2)

        // The rebirth: what follows it is read.
        try bed.send("NBIRTH", Bed.nodeBirth(seq: 0, at: Bed.t + 5_100), at: Bed.t + 5_100)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Bed.metric(nil, alias: 1, nil, .double(23), at: Bed.t + 5_200)]),
            at: Bed.t + 5_200)
        #expect(bed.sink.quarantined.count == 3)
        #expect(bed.pipeline.stats.readingsAccepted == 3)
    }

    @Test func aGapInSeqQuarantinesTheMessageRequestsARebirthAndTheSequenceGoesOn() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(seq: 254), at: Bed.t)
        func data(_ seq: UInt64, _ value: Double, _ offset: Int64) throws {
            try bed.send(
                "NDATA",
                SparkplugPayload(seq: seq, metrics: [Bed.metric(nil, alias: 1, nil, .double(value), at: Bed.t + offset)]),
                at: Bed.t + offset)
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
        #expect(bed.numeric(Bed.node, "temperature_c")?.sum == 87)
    }

    @Test func anNDeathIsHonouredOnlyWithTheBdSeqOfTheBirth() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(bdSeq: 5), at: Bed.t)
        try bed.send("DBIRTH", device: "m1", Bed.deviceBirth(seq: 1), at: Bed.t)
        let death = { (bdSeq: UInt64) in SparkplugPayload(metrics: [Bed.metric("bdSeq", .int64, .long(bdSeq))]) }
        try bed.send("NDEATH", death(4), at: Bed.t + 100)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugStaleDeath])
        #expect(
            bed.sink.quarantined.first?.detail
                == "NDEATH with bdSeq 4, but its NBIRTH had bdSeq 5: an earlier session's death, ignored")
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 2, metrics: [Bed.metric(nil, alias: 3, nil, .string("fault"), at: Bed.t + 200)]),
            at: Bed.t + 200)
        #expect(bed.sink.quarantined.count == 1)

        try bed.send("NDEATH", death(5), at: Bed.t + 300)
        try bed.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 3, metrics: [Bed.metric(nil, alias: 3, nil, .string("idle"), at: Bed.t + 400)]),
            at: Bed.t + 400)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugStaleDeath, .sparkplugNotBorn])
        #expect(bed.pipeline.stats.readingsAccepted == 5)
    }

    @Test func aDeviceIsReadOnlyFromItsBirthToItsDeath() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        let data = { (seq: UInt64) in
            SparkplugPayload(seq: seq, metrics: [Bed.metric("machine_state", nil, .string("idle"), at: Bed.t + 100)])
        }
        try bed.send("DDATA", device: "m1", data(1), at: Bed.t + 100)
        try bed.send("DBIRTH", device: "m1", Bed.deviceBirth(seq: 2), at: Bed.t + 200)
        try bed.send("DDATA", device: "m1", data(3), at: Bed.t + 300)
        try bed.send("DDEATH", device: "m1", SparkplugPayload(seq: 4), at: Bed.t + 400)
        try bed.send("DDATA", device: "m1", data(5), at: Bed.t + 500)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn, .sparkplugNotBorn])
        #expect(
            bed.sink.quarantined.first?.detail
                == "DDATA from device m1 of edge node plant/edge1, which has no DBIRTH in force; rebirth requested")
        #expect(bed.sink.quarantined.map(\.device) == [Bed.m1, Bed.m1])
        // Node birth 2, device birth 2, one DDATA.
        #expect(bed.pipeline.stats.readingsAccepted == 5)
    }

    @Test func aRebirthRestatesValuesWithoutCountingThemTwice() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 1_000)]),
            at: Bed.t + 1_000)
        // The rebirth restates temperature_c at its DATA's time, parts_total (unchanged since
        // the first birth) at the birth's; a later value is new.
        var rebirth = Bed.nodeBirth(temperature: 22, at: Bed.t + 1_000)
        rebirth.metrics[3].timestamp = UInt64(Bed.t)
        try bed.send("NBIRTH", rebirth, at: Bed.t + 1_500)
        var later = Bed.nodeBirth(temperature: 23, at: Bed.t + 2_000)
        later.metrics[3].timestamp = UInt64(Bed.t)
        try bed.send("NBIRTH", later, at: Bed.t + 2_000)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        #expect(bed.pipeline.stats.sparkplugRestatedValues == 3)
        bed.pipeline.flushAll()
        #expect(bed.numeric(Bed.node, "temperature_c").map { ($0.count, $0.sum) } ?? (0, 0) == (3, 65))
        #expect(bed.numeric(Bed.node, "parts_total")?.count == 1)
    }

    @Test func metricsNoBirthDefinedAndDatatypesThatAreNoReadingAreQuarantinedOneByOne() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        try bed.send(
            "DBIRTH", device: "m1",
            SparkplugPayload(
                seq: 1,
                metrics: [
                    Bed.metric("machine_state", alias: 3, .string, .string("running"), at: Bed.t),
                    Bed.metric("photo", alias: 5, .bytes, .bytes([1, 2]), at: Bed.t),
                    Bed.metric("serviced_at", alias: 6, .dateTime, .long(UInt64(Bed.t)), at: Bed.t),
                    Bed.metric("temperature_c", alias: 7, .double, .string("hot"), at: Bed.t),
                    Bed.metric("parts_total", alias: 8, .int32, .boolean(true), at: Bed.t),
                ]), at: Bed.t)
        try bed.send(
            "NDATA",
            SparkplugPayload(
                seq: 2,
                metrics: [
                    Bed.metric(nil, alias: 99, nil, .double(1), at: Bed.t + 100),
                    Bed.metric(nil, alias: 3, nil, .string("idle"), at: Bed.t + 100),
                    Bed.metric("humidity_pct", nil, .double(50), at: Bed.t + 100),
                    Bed.metric(nil, alias: 1, nil, .double(25), at: Bed.t + 100),
                ]), at: Bed.t + 100)
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
        let birth = { (last: String) in
            SparkplugPayload(
                seq: 0,
                metrics: [
                    Bed.metric("door_open", .boolean, .boolean(true), at: Bed.t),
                    Bed.metric("temperature_c", .boolean, .boolean(true), at: Bed.t),
                    Bed.metric("machine_state", .string, .string("exploded"), at: Bed.t),
                    Bed.metric(last, .int16, .int(0xFFFD), at: Bed.t),
                ])
        }
        try bed.send("NBIRTH", birth("machine_state"), at: Bed.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.malformedPayload])
        #expect(bed.sink.quarantined.first?.detail == "NBIRTH: the metric machine_state is defined twice")
        try bed.send("NBIRTH", birth("parts_total"), at: Bed.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.malformedPayload, .wrongType, .outOfRange, .outOfRange])
        #expect(bed.sink.quarantined.last?.detail == "parts_total = -3 outside [0, 1000000000000]")
        #expect(bed.pipeline.stats.readingsAccepted == 1)
    }

    @Test func payloadsTopicsAndMessagesForOtherPartiesAreSortedOut() throws {
        let bed = try Bed()
        bed.send(topic: "spBv1.0/plant/NDATA/edge1", bytes: [0x12, 0x05, 0x01], at: Bed.t)
        bed.send(topic: "spBv1.0/plant/NDATA", bytes: [], at: Bed.t)
        bed.send(topic: "spBv1.0/plant/DDATA/edge1", bytes: [], at: Bed.t)
        bed.send(topic: "spBv1.0/plant/NDATA/edge1/m1", bytes: [], at: Bed.t)
        bed.send(topic: "spBv1.0/plant/BIRTH/edge1", bytes: [], at: Bed.t)
        bed.send(topic: "spBv1.0/STATE/scada", bytes: Array(#"{"online":true,"timestamp":1}"#.utf8), at: Bed.t)
        try bed.send(
            "NCMD", SparkplugPayload(metrics: [Bed.metric("Node Control/Rebirth", .boolean, .boolean(true))]), at: Bed.t)
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
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.topicMismatch])
        #expect(bed.commands.requests == [])
    }

    @Test func aBirthsNullValuesDefineMetricsButAreNoReadings() throws {
        let bed = try Bed()
        var birth = Bed.nodeBirth()
        birth.metrics[2].isNull = true
        birth.metrics[2].field = nil
        try bed.send("NBIRTH", birth, at: Bed.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 100)]),
            at: Bed.t + 100)
        #expect(bed.sink.quarantined.map(\.reason) == [])
        bed.pipeline.flushAll()
        #expect(bed.numeric(Bed.node, "temperature_c")?.count == 1)
        #expect(bed.numeric(Bed.node, "parts_total")?.count == 1)
    }
}
