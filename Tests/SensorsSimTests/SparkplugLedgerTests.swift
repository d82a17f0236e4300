import Foundation
import SparkplugB
import Testing

@testable import SensorsSim

/// The ledger of `--format sparkplug`: the JSON ledger's fields, plus the Sparkplug message type,
/// `spb_seq` and `bdSeq`, the payload in hexadecimal, and the gateway's Sparkplug reasons.
@Suite("Sparkplug B ledger")
struct SparkplugLedgerTests {
    static let common: Set<String> = [
        "n", "topic", "park", "site", "device", "seq", "type", "spb_seq", "shape", "fault", "payload", "readings",
    ]

    @Test func aLineHasTypeSpbSeqHexPayloadAndTheGatewaysSparkplugReasonsBirthsAndDeathsNoReadings() throws {
        let messages = try makeSparkplugRun(count: 3000, devices: 30, faults: allFaults(3))
        var types: [String: Int] = [:]
        var reasons: Set<String> = []
        for (position, message) in messages.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(Ledger.line(for: message))) as? [String: Any])
            let type = try #require(object["type"] as? String)
            types[type, default: 0] += 1
            let nodeLevel = type == "NBIRTH" || type == "NDEATH"
            #expect(Set(object.keys) == Self.common.union(nodeLevel ? ["bdSeq"] : []))
            #expect(object["n"] as? Int == position && message.index == position)
            #expect(object["seq"] is NSNull)
            #expect((object["spb_seq"] as? NSNumber)?.uint64Value == message.sparkplug?.seq)
            #expect((object["spb_seq"] is NSNull) == (type == "NDEATH" || message.fault == .malformedPayload))
            #expect(object["topic"] as? String == message.topic && message.topic.split(separator: "/")[2] == type)
            let hex = try #require(object["payload"] as? String)
            #expect(hex == message.payload.map { String(format: "%02x", $0) }.joined())
            let readings = try #require(object["readings"] as? [[String: Any]])
            if type != "DDATA" {
                #expect(readings.isEmpty && object["shape"] is NSNull && object["fault"] is NSNull)
                #expect((object["device"] as? String == message.site) == nodeLevel)
                if nodeLevel { #expect((object["bdSeq"] as? NSNumber)?.uint64Value == 0) }
            }
            for (entry, reading) in zip(readings, message.readings) {
                #expect(entry["metric"] as? String == reading.metric)
                #expect((entry["ts"] as? NSNumber)?.int64Value == reading.ts)
                guard let reason = entry["fault"] as? String else { continue }
                reasons.insert(reason)
                #expect(reason == reading.fault?.sparkplugReason)
            }
        }
        #expect(types == ["NBIRTH": 24, "DBIRTH": 30, "DDATA": 3000, "DDEATH": 30, "NDEATH": 24])
        #expect(
            reasons == [
                "out_of_range", "sparkplug_unknown_metric", "sparkplug_unsupported_type", "too_late", "future_timestamp",
            ])
    }

    @Test func theLedgerOfADDataIsTheDocumentedExampleLine() throws {
        let reading = SimMessage.Reading(
            metric: "temperature_c", kind: .gauge, ts: 1_763_700_000_120, value: .number(24.1), fault: nil)
        let unknown = SimMessage.Reading(
            metric: "flux_capacitor_x", kind: nil, ts: 1_763_700_000_120, value: .number(3.5), fault: .unknownMetric)
        let message = SimMessage(
            index: 7, deviceIndex: 3, topic: "spBv1.0/yen-my/DDATA/f01/env-0003", park: "yen-my", site: "f01",
            device: "env-0003", seq: nil, shape: .ts, fault: .unknownMetric,
            payload: SparkplugPayloads.deviceData(
                seq: 5, readings: [reading, unknown], metrics: DeviceKind.environment.metrics, firstAlias: 1,
                now: 1_763_700_000_123),
            readings: [reading, unknown], sparkplug: SimMessage.Sparkplug(type: .deviceData, edgeNode: 3, seq: 5))
        let expected =
            #"{"n":7,"topic":"spBv1.0/yen-my/DDATA/f01/env-0003","park":"yen-my","site":"f01","device":"env-0003","seq":null,"type":"DDATA","spb_seq":5,"shape":"ts","fault":null,"payload":"08fb8ad9a5aa331212100118f88ad9a5aa33699a9999999919384012220a10666c75785f636170616369746f725f7818f88ad9a5aa33690000000000000c401805","readings":[{"metric":"temperature_c","kind":"gauge","ts":1763700000120,"v":24.1,"fault":null},{"metric":"flux_capacitor_x","kind":null,"ts":1763700000120,"v":3.5,"fault":"sparkplug_unknown_metric"}]}"#
            + "\n"
        #expect(String(decoding: Ledger.line(for: message), as: UTF8.self) == expected)
    }

    @Test func theEdgeNodeSuffixNamesTheEdgeNodesTheirTopicsAndTheLedgersSite() throws {
        let messages = try makeSparkplugRun(count: 60, devices: 30, options: sparkplugOptions(suffix: "-b"))
        #expect(messages.allSatisfy { $0.site.hasSuffix("-b") && $0.topic.split(separator: "/")[3] == $0.site })
        #expect(messages.filter { $0.sparkplug?.type == .nodeBirth }.allSatisfy { $0.device == $0.site })
        let edge = try #require(
            MessageFactory(
                fleet: Fleet(count: 30, seed: 1), options: sparkplugOptions(suffix: "-b"),
                plan: try FaultPlan(percentages: [:]), seed: 1
            ).sparkplug)
        #expect(edge.nodes.first?.commandTopic == "spBv1.0/hoa-lac-hitech/NCMD/f01-b")
        #expect(edge.nodes.map(\.site).prefix(7) == ["f01", "f01", "f01", "f01", "f01", "f01", "f02"])
    }
}
