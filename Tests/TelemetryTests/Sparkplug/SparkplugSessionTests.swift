import SparkplugB
import Testing

@testable import Telemetry

/// What the gateway remembers of Sparkplug B edge nodes: sessions kept across a checkpoint (and
/// a format 7 one without them), nodes no longer online forgotten when silent, and births bounded
/// by the series limit.
@Suite("Sparkplug B sessions")
struct SparkplugSessionTests {
    typealias Bed = SparkplugTestBed
    @Test func sessionsSurviveACheckpointAndARestart() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(bdSeq: 3), at: Bed.t)
        try bed.send("DBIRTH", device: "m1", Bed.deviceBirth(seq: 1), at: Bed.t)
        try bed.send(
            "NDATA", SparkplugPayload(seq: 2, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 100)]),
            at: Bed.t + 100)
        let state = bed.pipeline.checkpointState()

        let restarted = try Bed()
        try restarted.pipeline.restoreState(state)
        try restarted.send(
            "DDATA", device: "m1",
            SparkplugPayload(seq: 3, metrics: [Bed.metric(nil, alias: 3, nil, .string("idle"), at: Bed.t + 200)]),
            at: Bed.t + 200)
        try restarted.send(
            "NDATA", SparkplugPayload(seq: 2, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 100)]),
            at: Bed.t + 300)
        try restarted.send(
            "NDEATH", SparkplugPayload(metrics: [Bed.metric("bdSeq", .int64, .long(3))]), at: Bed.t + 400)
        try restarted.send(
            "NDATA", SparkplugPayload(seq: 4, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + 500)]),
            at: Bed.t + 500)
        #expect(restarted.sink.quarantined.map(\.reason) == [.duplicateSeq, .sparkplugNotBorn])
        #expect(restarted.pipeline.stats.readingsAccepted == bed.pipeline.stats.readingsAccepted + 1)
        // The restored state writes itself back byte for byte.
        let again = try Bed()
        try again.pipeline.restoreState(state)
        #expect(again.pipeline.checkpointState() == state)
    }

    @Test func aCheckpointOfFormat7RestoresWithNoSessions() throws {
        let bed = try Bed()
        try bed.send("DATA", SparkplugPayload(), at: Bed.t)
        let state = bed.pipeline.checkpointState()
        let restarted = try Bed()
        // Format 7 ends before the sessions (none: their count) and the three Sparkplug totals.
        try restarted.pipeline.restoreState(Array(state.dropLast(32)), format: 7)
        #expect(restarted.pipeline.stats == bed.pipeline.stats)
        #expect(restarted.pipeline.sparkplug.count == 0)
    }

    @Test func edgeNodesNoLongerOnlineAreRetiredWhenSilentAndOnlineOnesStay() throws {
        let bed = try Bed()
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        try bed.send("NBIRTH", edge: "edge2", Bed.nodeBirth(), at: Bed.t)
        try bed.send("NDEATH", edge: "edge2", SparkplugPayload(metrics: [Bed.metric("bdSeq", .int64, .long(0))]), at: Bed.t)
        try bed.send("NDATA", edge: "edge3", SparkplugPayload(seq: 0), at: Bed.t)
        #expect(bed.pipeline.sparkplug.count == 3)
        let hour = bed.pipeline.settings.retireAfterMillis
        _ = bed.pipeline.retireSilentDevices(ingestClockMillis: Bed.t + hour - 1)
        #expect(bed.pipeline.sparkplug.count == 3)
        _ = bed.pipeline.retireSilentDevices(ingestClockMillis: Bed.t + hour)
        #expect(bed.pipeline.sparkplug.nodes.map(\.edgeNode) == ["edge1"])
        try bed.send(
            "NDATA", SparkplugPayload(seq: 1, metrics: [Bed.metric(nil, alias: 1, nil, .double(22), at: Bed.t + hour)]),
            at: Bed.t + hour)
        #expect(bed.sink.quarantined.map(\.reason) == [.sparkplugNotBorn])
    }

    @Test func whatBirthsMakeTheGatewayRememberIsBoundedByTheSeriesLimit() throws {
        let bed = try Bed(maxSeries: 5)
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t)
        let birth = { (seq: UInt64, names: [String]) in
            SparkplugPayload(seq: seq, metrics: names.map { Bed.metric($0, .double, nil) })
        }
        try bed.send("DBIRTH", device: "m1", birth(1, ["temperature_c", "parts_total"]), at: Bed.t)
        try bed.send("DBIRTH", device: "m1", birth(2, ["temperature_c"]), at: Bed.t)
        for (seq, device) in (3...7).map({ (UInt64($0), "m\($0 - 1)") }) {
            try bed.send("DBIRTH", device: device, birth(seq, []), at: Bed.t)
        }
        try bed.send("DBIRTH", device: "m1", birth(8, [String(repeating: "x", count: 129)]), at: Bed.t)
        #expect(bed.sink.quarantined.map(\.reason) == [.cardinalityLimit, .cardinalityLimit, .nameTooLong])
        #expect(
            bed.sink.quarantined.map(\.detail) == [
                "DBIRTH of 2 metrics beyond ingest.max_series (5 metrics of Sparkplug B births in memory)",
                "new Sparkplug B device beyond ingest.max_series (5 devices of edge nodes in memory)",
                "DBIRTH metric 1: name of 129 bytes exceeds ingest.max_name_bytes (128)",
            ])
        #expect(bed.pipeline.sparkplug.metricTotal == 5 && bed.pipeline.sparkplug.deviceTotal == 5)
        // An NBIRTH replaces every definition of the node.
        try bed.send("NBIRTH", Bed.nodeBirth(), at: Bed.t + 1)
        #expect(bed.pipeline.sparkplug.metricTotal == 4 && bed.pipeline.sparkplug.deviceTotal == 0)
    }
}
