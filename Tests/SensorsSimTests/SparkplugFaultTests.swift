import Foundation
import SparkplugB
import Testing

@testable import SensorsSim

/// `--format sparkplug` faults: exact counts as in JSON, and each one in the DDATA bytes as the
/// ledger says, read back with the `SparkplugB` decoder.
@Suite("Sparkplug B faults")
struct SparkplugFaultTests {
    @Test func eachFaultIsInTheBytesOfItsDDataAsTheLedgerSays() throws {
        let messages = try makeSparkplugRun(count: 4000, devices: 30, faults: allFaults(3))
        let counts = Dictionary(grouping: messages.compactMap(\.fault), by: { $0 }).mapValues(\.count)
        #expect(counts == allFaults(3).mapValues { _ in 120 })
        let aliases = try birthAliases(messages)
        let metrics = DeviceKind.allCases.flatMap(\.metrics)
        var malformedKinds: Set<String> = []
        var wrongFields: Set<String> = []
        for (position, message) in messages.enumerated() where message.sparkplug?.type == .deviceData {
            guard message.fault != .malformedPayload else {
                #expect(message.sparkplug?.seq == nil && message.readings.isEmpty && message.shape == nil)
                #expect(throws: SparkplugPayloadError.self) { try decodeSparkplug(message) }
                malformedKinds.insert(
                    message.payload.first == 0x0F
                        ? "invalid wire type"
                        : message.payload.starts(with: [0x08, 0xFF, 0xFF]) ? "overlong varint" : "truncated")
                continue
            }
            let payload = try decodeSparkplug(message)
            #expect(payload.seq == message.sparkplug?.seq)
            if message.fault == .duplicateSeq {
                // The device's previous DDATA, byte for byte, within the latest 128 seqs of its edge node.
                #expect(message.readings.isEmpty)
                let earlier = messages[..<position].filter { $0.sparkplug?.edgeNode == message.sparkplug?.edgeNode }
                let original = try #require(
                    earlier.last { $0.device == message.device && $0.sparkplug?.type == .deviceData && $0.fault != .duplicateSeq }
                )
                #expect(original.payload == message.payload && original.fault == nil)
                let newer = earlier.drop { $0.index != original.index }.dropFirst()
                #expect(newer.filter { $0.sparkplug?.seq != nil && $0.fault != .duplicateSeq }.count < 128)
                continue
            }
            let stamp = try #require(payload.timestamp)
            for (metric, reading) in zip(payload.metrics, message.readings) {
                #expect(metric.field == expectedField(reading.value))
                #expect(metric.timestamp == reading.ts.map(UInt64.init))
                switch reading.fault {
                case .unknownMetric?:
                    // By name: no birth defines it, so it cannot have an alias.
                    #expect(metric.name == reading.metric && metric.alias == nil && reading.kind == nil)
                    #expect(!metrics.contains { $0.name == reading.metric })
                case .wrongType?:
                    let alias = try #require(metric.alias)
                    let name = try #require(aliases["\(message.park)/\(message.site)"]?[alias])
                    let born = try #require(metrics.first { $0.name == name })
                    switch (born.kind, metric.field) {
                    case (.state, .double?): wrongFields.insert("double for a String")
                    case (.gauge, .string?), (.counter, .string?): wrongFields.insert("string for a Double")
                    case (.gauge, .boolean?), (.counter, .boolean?): wrongFields.insert("boolean for a Double")
                    default: Issue.record("\(name): \(String(describing: metric.field)) is not a wrong type")
                    }
                case .outOfRange?:
                    let range = try #require(metrics.first { $0.name == reading.metric }?.range)
                    guard case .double(let value)? = metric.field else {
                        Issue.record("out of range value \(String(describing: metric.field))")
                        continue
                    }
                    #expect(!range.contains(value))
                case .tooLate?, .futureTimestamp?:
                    // Every metric 10 minutes before, or 1 hour after, the publish time (an array's
                    // entries a few ms apart).
                    let shift = reading.fault == .tooLate ? Fault.lateShiftMilliseconds : Fault.futureShiftMilliseconds
                    let offset = Int64(try #require(metric.timestamp)) - Int64(stamp)
                    #expect((shift - 20...shift).contains(offset))
                case nil:
                    #expect(metric.alias != nil && metric.name == nil)
                default:
                    Issue.record("unexpected reading fault \(String(describing: reading.fault))")
                }
            }
        }
        #expect(malformedKinds == ["invalid wire type", "overlong varint", "truncated"])
        #expect(wrongFields == ["double for a String", "string for a Double", "boolean for a Double"])
    }

    @Test func malformedPayloadsAndDuplicatesUseNoSeqSoTheOthersFollowOnWithoutAGap() throws {
        let messages = try makeSparkplugRun(count: 3000, devices: 30, faults: [.malformedPayload: 10, .duplicateSeq: 10])
        var latest: [Int: UInt64] = [:]
        for message in messages {
            guard let info = message.sparkplug, let seq = info.seq, message.fault == nil else { continue }
            if let previous = latest[info.edgeNode] { #expect(seq == (previous + 1) % 256) }
            latest[info.edgeNode] = seq
        }
        #expect(messages.filter { $0.fault == .malformedPayload }.count == 300)
        #expect(messages.filter { $0.fault == .duplicateSeq }.count == 300)
    }

    @Test func aTruncatedPayloadIsCutInsideItsLastMetricAndNeverAtAFieldBoundary() throws {
        #expect(MalformedSparkplug.contentLength(ofFieldBytes: 2 + 20) == 20)
        #expect(MalformedSparkplug.contentLength(ofFieldBytes: 3 + 200) == 200)
        #expect(MalformedSparkplug.varintSize(127) == 1 && MalformedSparkplug.varintSize(128) == 2)
        let reading = SimMessage.Reading(metric: "temperature_c", kind: .gauge, ts: 5, value: .number(24.1), fault: nil)
        let metrics = DeviceKind.environment.metrics
        let whole = SparkplugPayloads.deviceData(seq: nil, readings: [reading, reading], metrics: metrics, firstAlias: 1, now: 9)
        let last =
            whole.count
            - SparkplugPayloads.deviceData(seq: nil, readings: [reading], metrics: metrics, firstAlias: 1, now: 9).count
        var random = SeededGenerator(seed: 3)
        var cuts: Set<Int> = []
        for _ in 0..<200 {
            let bytes = MalformedSparkplug.truncated.bytes(wellFormed: whole, lastMetricBytes: last, random: &random)
            cuts.insert(whole.count - bytes.count)
            #expect(throws: SparkplugPayloadError.truncated) { try SparkplugPayloadDecoder().decode(bytes) }
        }
        // Every cut from 1 byte to the metric's whole content (tag and length kept).
        #expect(cuts == Set(1...(last - 2)))
    }
}
