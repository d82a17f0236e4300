import Foundation
import SparkplugB
import Testing

@testable import SensorsSim

/// `--format sparkplug`: every payload decoded with the `SparkplugB` module's decoder, against what
/// the simulator says it wrote: births, DDATA by alias, `seq` per edge node, deaths, rebirths.
@Suite("Sparkplug B payloads")
struct SparkplugPayloadTests {
    @Test func anNBirthHasSeq0BdSeqAndTheRebirthMetricADBirthEveryMetricWithNameAliasDatatypeAndNoValue() throws {
        let fleet = Fleet(count: 30, seed: 1)
        let messages = try makeSparkplugRun(count: 30, devices: 30, deaths: false)
        let nodeBirths = messages.filter { $0.sparkplug?.type == .nodeBirth }
        #expect(nodeBirths.count == 24)
        for birth in nodeBirths {
            #expect(birth.topic == "spBv1.0/\(birth.park)/NBIRTH/\(birth.site)")
            #expect(birth.device == birth.site && birth.readings.isEmpty && birth.sparkplug?.bdSeq == 0)
            let payload = try decodeSparkplug(birth)
            #expect(payload.seq == 0)
            let stamp = try #require(payload.timestamp)
            #expect(
                payload.metrics == [
                    SparkplugMetric(name: "bdSeq", timestamp: stamp, datatype: 4, field: .long(0)),
                    SparkplugMetric(name: "Node Control/Rebirth", timestamp: stamp, datatype: 11, field: .boolean(false)),
                ])
        }
        let deviceBirths = messages.filter { $0.sparkplug?.type == .deviceBirth }
        #expect(deviceBirths.count == 30)
        var aliasesByNode: [String: [UInt64]] = [:]
        for birth in deviceBirths {
            let device = fleet.devices[birth.deviceIndex]
            #expect(birth.topic == "spBv1.0/\(device.park)/DBIRTH/\(device.site)/\(device.name)")
            #expect(birth.readings.isEmpty && birth.sparkplug?.bdSeq == nil)
            let payload = try decodeSparkplug(birth)
            // The first device of each edge node comes right after its NBIRTH; the second after its own DDATA.
            #expect(payload.seq == (birth.deviceIndex < 24 ? 1 : 3))
            #expect(payload.metrics.map(\.name) == device.kind.metrics.map(\.name))
            #expect(payload.metrics.map(\.datatype) == device.kind.metrics.map { $0.kind == .state ? 12 : 10 })
            #expect(payload.metrics.allSatisfy { $0.isNull && $0.field == nil && $0.timestamp == payload.timestamp })
            aliasesByNode["\(birth.park)/\(birth.site)", default: []] += payload.metrics.compactMap(\.alias)
        }
        // Aliases are unique within each edge node: 1, 2, … over its devices.
        for aliases in aliasesByNode.values { #expect(aliases == Array(1...UInt64(aliases.count))) }
        #expect(aliasesByNode["hoa-lac-hitech/f01"]?.count == 12)
        // Each edge node is born before its devices, each device before its data.
        var born: Set<String> = []
        for message in messages {
            let node = "\(message.park)/\(message.site)"
            switch message.sparkplug?.type {
            case .nodeBirth?: born.insert(node)
            case .deviceBirth?:
                #expect(born.contains(node))
                born.insert(message.topic.replacingOccurrences(of: "/DBIRTH/", with: "/DDATA/"))
            default: #expect(born.contains(message.topic), "\(message.topic) before its birth")
            }
        }
    }

    @Test(arguments: [([PayloadShape.ts, .array], 0), ([.batch], 20)])
    func aDDataCarriesEachReadingByAliasAtItsEventTimeAndThePublishTimeAsPayloadTime(
        shapes: [PayloadShape], readings: Int
    )
        throws
    {
        let messages = try makeSparkplugRun(
            count: 600, options: sparkplugOptions(shapes: shapes, readingsPerMessage: readings), deaths: false)
        let aliases = try birthAliases(messages)
        var repeatedAliases = 0
        for (number, message) in messages.filter({ $0.sparkplug?.type == .deviceData }).enumerated() {
            #expect(message.topic == "spBv1.0/\(message.park)/DDATA/\(message.site)/\(message.device)")
            let payload = try decodeSparkplug(message)
            #expect(payload.timestamp == UInt64(testEpochMilliseconds + Int64(number) * 5))
            #expect(payload.seq == message.sparkplug?.seq)
            #expect(payload.metrics.count == message.readings.count)
            for (metric, reading) in zip(payload.metrics, message.readings) {
                #expect(metric.name == nil && metric.datatype == nil && !metric.isNull)
                let alias = try #require(metric.alias)
                #expect(aliases["\(message.park)/\(message.site)"]?[alias] == reading.metric)
                #expect(metric.timestamp == reading.ts.map(UInt64.init))
                #expect(metric.field == expectedField(reading.value))
            }
            if Set(payload.metrics.compactMap(\.alias)).count < payload.metrics.count { repeatedAliases += 1 }
        }
        // A batch holds several samples of a metric, each its own entry with its own timestamp.
        #expect((repeatedAliases > 0) == (shapes == [.batch]))
    }

    @Test func aPlainMessageGoesOutStampedAsTheTsShapeSoEveryReadingHasItsTime() throws {
        let messages = try makeSparkplugRun(count: 100, options: sparkplugOptions(shapes: [.plain]))
        let data = messages.filter { $0.sparkplug?.type == .deviceData }
        #expect(data.count == 100)
        #expect(data.allSatisfy { $0.shape == .ts && $0.readings.allSatisfy { $0.ts != nil } })
    }

    @Test func seqCountsPerEdgeNodeOverBirthsDataAndDeathsWrapsAfter255AndNDeathHasNone() throws {
        for devices in [1, 30] {
            let messages = try makeSparkplugRun(count: 700, devices: devices)
            var latest: [String: UInt64] = [:]
            var wraps = 0
            for message in messages {
                let node = "\(message.park)/\(message.site)"
                let payload = try decodeSparkplug(message)
                #expect(payload.seq == message.sparkplug?.seq)
                guard let seq = message.sparkplug?.seq else {
                    #expect(message.sparkplug?.type == .nodeDeath)
                    #expect(payload.metrics.map(\.name) == ["bdSeq"] && payload.metrics.first?.field == .long(0))
                    continue
                }
                if let previous = latest[node] {
                    #expect(seq == (previous + 1) % 256, "\(node): \(seq) after \(previous)")
                    if seq == 0 { wraps += 1 }
                } else {
                    #expect(seq == 0 && message.sparkplug?.type == .nodeBirth)
                }
                latest[node] = seq
            }
            // One device: NBIRTH, DBIRTH, 700 DDATA and a DDEATH are 703 seqs, 0 to 255 twice and more.
            #expect(wraps == (devices == 1 ? 2 : 0))
            #expect(latest.count == min(devices, 24))
            #expect(messages.suffix(2).map { $0.sparkplug?.type } == [.deviceDeath, .nodeDeath])
        }
    }

    @Test func theSameSeedGivesTheSameReadingsValuesAndFaultsAsJSON() throws {
        let faults: [Fault: Double] = [
            .outOfRange: 3, .unknownMetric: 3, .wrongType: 3, .duplicateSeq: 3, .tooLate: 3, .futureTimestamp: 3,
        ]
        let json = try makeMessages(count: 2000, devices: 30, faults: faults)
        let sparkplug = try makeSparkplugRun(count: 2000, devices: 30, faults: faults).filter {
            $0.sparkplug?.type == .deviceData
        }
        #expect(json.map(\.fault) == sparkplug.map(\.fault))
        #expect(json.map(\.device) == sparkplug.map(\.device))
        let described = { (message: SimMessage) in
            message.readings.map { "\($0.metric)=\($0.value) \(String(describing: $0.fault))" }
        }
        #expect(json.map(described) == sparkplug.map(described))
    }

    @Test func aRebirthRequestBringsTheBirthsBackWithTheSameBdSeqAndTheNextSeqsBeforeTheNodesNextData() throws {
        let messages = try makeSparkplugRun(
            count: 600, devices: 30, faults: [.duplicateSeq: 10], rebirths: [100: [0], 101: [0], 300: [0, 5]])
        let node = messages.filter { $0.sparkplug?.edgeNode == 0 }
        #expect(Set(node.map { "\($0.park)/\($0.site)" }) == ["hoa-lac-hitech/f01"])
        // Two requests before one data message give one rebirth.
        let births = node.enumerated().filter { $0.element.sparkplug?.type == .nodeBirth }
        #expect(births.count == 3)
        #expect(births.allSatisfy { $0.element.sparkplug?.bdSeq == 0 })
        for (position, birth) in births.dropFirst() {
            let before = node[..<position].last { $0.sparkplug?.seq != nil && $0.fault != .duplicateSeq }
            #expect(birth.sparkplug?.seq == before?.sparkplug?.seq.map { ($0 + 1) % 256 })
            // Each device is born again before its next message.
            var seen: Set<String> = []
            for message in node[(position + 1)...] where message.device != birth.site && !seen.contains(message.device) {
                seen.insert(message.device)
                #expect(message.sparkplug?.type == .deviceBirth)
            }
            #expect(seen == ["env-0000", "mch-0024"])
        }
        // No duplicate repeats a DDATA from before its edge node's latest NBIRTH.
        var bornAt: [Int: Int] = [:]
        var sentAt: [String: Int] = [:]
        for message in messages {
            guard let info = message.sparkplug else { continue }
            if info.type == .nodeBirth { bornAt[info.edgeNode] = message.index }
            if message.fault == .duplicateSeq {
                let original = try #require(sentAt[message.payload.map { String($0) }.joined(separator: ",")])
                #expect(original > bornAt[info.edgeNode] ?? .max)
            } else if info.type == .deviceData {
                sentAt[message.payload.map { String($0) }.joined(separator: ",")] = message.index
            }
        }
        #expect(messages.filter { $0.fault == .duplicateSeq }.count == 60)
    }

    @Test func onlyARebirthRequestOnTheNCMDTopicOfOneOfItsEdgeNodesIsAnswered() throws {
        var factory = MessageFactory(
            fleet: Fleet(count: 30, seed: 1), options: sparkplugOptions(), plan: try FaultPlan(percentages: [:]), seed: 1)
        let request = try SparkplugPayloadEncoder().rebirthRequest(timestamp: 1)
        let notARebirth = try SparkplugPayloadEncoder().encode(
            SparkplugPayload(
                timestamp: 1, metrics: [SparkplugMetric(name: "Node Control/Rebirth", datatype: 11, field: .boolean(false))]))
        let commands: [(String, [UInt8])] = [
            ("spBv1.0/hoa-lac-hitech/NCMD/f01", request), ("spBv1.0/dinh-vu/NCMD/f04", request),
            ("spBv1.0/hoa-lac-hitech/NCMD/f09", request), ("spBv1.0/hoa-lac-hitech/DCMD/f01/env-0000", request),
            ("spBv1.0/hoa-lac-hitech/NCMD/f01", notARebirth), ("spBv1.0/hoa-lac-hitech/NCMD/f01", [0x0F, 1, 2]),
        ]
        let answered = commands.map { factory.answerCommand(topic: $0.0, payload: $0.1) }
        #expect(answered == [true, true, false, false, false, false])
    }
}
