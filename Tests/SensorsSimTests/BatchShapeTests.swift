import Foundation
import Testing

@testable import SensorsSim

@Suite("Batch shape")
struct BatchShapeTests {
    /// 20 readings per message, batch shape only, 6 devices (2 of each kind), 5 ms per message.
    private func batchMessages(
        count: Int, devices: Int = 6, readings: Int = 20, faults: [Fault: Double] = [:], stepMilliseconds: Int64 = 5
    ) throws -> [SimMessage] {
        try makeMessages(
            count: count, devices: devices, options: MessageOptions(shapes: [.batch], readingsPerMessage: readings),
            faults: faults, stepMilliseconds: stepMilliseconds)
    }

    /// The payload's entries as (ts, metric names), in payload order.
    private func entries(of message: SimMessage) throws -> [(ts: Int64, metrics: [String])] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [[String: Any]])
        return try root.map { entry in
            let ts = try #require((entry["ts"] as? NSNumber)?.int64Value)
            let values = try #require(entry["values"] as? [String: Any])
            return (ts, Array(values.keys))
        }
    }

    @Test func everyMessageCarriesExactlyNReadingsAndTheReferenceDecoderReadsExactlyThose() throws {
        let messages = try batchMessages(count: 600)
        #expect(messages.allSatisfy { $0.shape == .batch && $0.readings.count == 20 })
        var decodedTotal = 0
        for message in messages {
            let decoded = try #require(DecodedPayload.decode(message.payload))
            #expect(decoded.seq == message.seq)
            #expect(decoded.sorted() == message.expectedReadings)
            decodedTotal += decoded.readings.count
        }
        #expect(decodedTotal == 12_000)
        let five = try batchMessages(count: 30, readings: 5)
        #expect(five.map(\.readings.count) == Array(repeating: 5, count: 30))
        let single = try batchMessages(count: 30, readings: 1)
        #expect(single.map(\.readings.count) == Array(repeating: 1, count: 30))
        #expect(try single.allSatisfy { try entries(of: $0).count == 1 })
    }

    @Test func anEntryIsOneSampleTheRotationContinuesAcrossMessagesAndANewEntryStartsWhereItWraps() throws {
        let messages = try batchMessages(count: 18)
        let sizes = try messages.map { try entries(of: $0).map(\.metrics.count) }
        // devices 0 and 3 are environment stations, 1 and 4 machines (6 metrics), 2 and 5 utility meters (2)
        #expect(sizes[0] == [6, 6, 6, 2])
        #expect(sizes[6] == [4, 6, 6, 4])
        #expect(sizes[12] == [2, 6, 6, 6])
        #expect(sizes[2] == Array(repeating: 2, count: 10))
        #expect(sizes[1] == [6, 6, 6, 2] && sizes[7] == [4, 6, 6, 4] && sizes[13] == [2, 6, 6, 6])
        for message in messages {
            #expect(try entries(of: message).allSatisfy { Set($0.metrics).count == $0.metrics.count })
        }
        // three messages of an environment station: 60 readings, 10 of each of its 6 metrics
        let station = messages.filter { $0.deviceIndex == 0 }.flatMap(\.readings)
        #expect(
            Dictionary(grouping: station, by: \.metric).mapValues(\.count)
                == Dictionary(
                    uniqueKeysWithValues: DeviceKind.environment.metrics.map { ($0.name, 10) }))
        let meter = messages.filter { $0.deviceIndex == 2 }.flatMap(\.readings)
        #expect(Dictionary(grouping: meter, by: \.metric).mapValues(\.count) == ["water_flow_m3h": 30, "pressure_bar": 30])
    }

    @Test func entriesAre1MsApartTheLastAtThePublishTimeSeqInTheFirstEntryOnly() throws {
        let messages = try batchMessages(count: 600)
        for message in messages {
            let now = testEpochMilliseconds + Int64(message.index) * 5
            let stamps = try entries(of: message).map(\.ts)
            #expect(stamps.last == now)
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $1 - $0 == 1 })
            #expect(message.readings.allSatisfy { stamps.contains($0.ts ?? 0) })
            let root = try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [[String: Any]])
            #expect((root.first?["seq"] as? NSNumber)?.uint64Value == message.seq)
            #expect(root.dropFirst().allSatisfy { $0["seq"] == nil })
        }
    }

    @Test func aDevicePublishingFasterThanItsBatchesSpanNeverGoesBackInEventTime() throws {
        // one environment station, a message every 1 ms, 4 samples (3 ms) per message
        let messages = try batchMessages(count: 50, devices: 1, stepMilliseconds: 1)
        let stamps = try messages.flatMap { try entries(of: $0).map(\.ts) }
        #expect(stamps.count == 50 * 4)
        #expect(stamps == Array((testEpochMilliseconds - 3)..<(testEpochMilliseconds - 3 + Int64(stamps.count))))
    }

    @Test func faultsKeepTheLedgerExactAnUnknownMetricAddsOneReadingInASampleLateMovesEverySample() throws {
        let faults: [Fault: Double] = [.unknownMetric: 10, .tooLate: 10, .outOfRange: 10, .malformedPayload: 5, .duplicateSeq: 5]
        let messages = try batchMessages(count: 1000, faults: faults)
        let byFault = Dictionary(grouping: messages, by: { $0.fault })
        // two duplicates stay owed at the end: their devices' previous messages were not clean
        #expect(
            byFault.mapValues(\.count) == [
                nil: 602, .unknownMetric: 100, .tooLate: 100, .outOfRange: 100, .malformedPayload: 50, .duplicateSeq: 48,
            ])
        #expect(byFault[.unknownMetric]?.allSatisfy { $0.readings.count == 21 } == true)
        #expect(byFault[nil]?.allSatisfy { $0.readings.count == 20 } == true)
        #expect(
            byFault[.outOfRange]?.allSatisfy {
                $0.readings.count == 20 && $0.readings.filter { $0.fault == .outOfRange }.count == 1
            } == true)
        #expect(byFault[.malformedPayload]?.allSatisfy { $0.readings.isEmpty && $0.seq == nil } == true)
        #expect(byFault[.duplicateSeq]?.allSatisfy { $0.readings.isEmpty } == true)
        for message in byFault[.tooLate] ?? [] {
            let now = testEpochMilliseconds + Int64(message.index) * 5
            #expect(message.readings.count == 20 && message.readings.allSatisfy { $0.fault == .tooLate })
            #expect(try entries(of: message).last?.ts == now - 600_000)
        }
        for message in messages where message.messageFault == nil {
            let decoded = try #require(DecodedPayload.decode(message.payload))
            #expect(decoded.sorted() == message.expectedReadings)
            #expect(decoded.readings.count == message.readings.count)
        }
    }

    @Test func theLedgerLineOfABatchListsEveryReadingWithItsSamplesTs() throws {
        let message = try #require(try batchMessages(count: 1).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Ledger.line(for: message))) as? [String: Any])
        #expect(object["shape"] as? String == "batch")
        let readings = try #require(object["readings"] as? [[String: Any]])
        #expect(readings.count == 20)
        let stamps = readings.compactMap { ($0["ts"] as? NSNumber)?.int64Value }
        let first = testEpochMilliseconds - 3
        #expect(
            stamps == Array(repeating: first, count: 6) + Array(repeating: first + 1, count: 6)
                + Array(repeating: first + 2, count: 6) + [first + 3, first + 3])
    }

    @Test func nEqualsZeroSendsOneSampleOfEveryMetricAndSingleSampleShapesStopAtTheKindsMetrics() throws {
        let whole = try batchMessages(count: 3, readings: 0)
        #expect(whole.map(\.readings.count) == [6, 6, 2])
        #expect(try whole.allSatisfy { try entries(of: $0).count == 1 })
        let single = try makeMessages(
            count: 3, devices: 3, options: MessageOptions(shapes: [.ts, .array], readingsPerMessage: 20))
        #expect(single.map(\.readings.count) == [6, 6, 2])
    }
}
