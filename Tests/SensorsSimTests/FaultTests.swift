import Foundation
import Testing

@testable import SensorsSim

@Suite("Faults")
struct FaultTests {
    @Test func eachPercentageGivesExactlyRoundPCount100FaultyMessages() throws {
        let percentages: [Fault: Double] = [
            .malformedPayload: 5, .outOfRange: 2.5, .unknownMetric: 1, .wrongType: 7,
            .duplicateSeq: 3, .tooLate: 0.35, .futureTimestamp: 4,
        ]
        let messages = try makeMessages(count: 10_000, faults: percentages)
        let counts = Dictionary(grouping: messages.compactMap(\.fault), by: { $0 }).mapValues(\.count)
        #expect(
            counts == [
                .malformedPayload: 500, .outOfRange: 250, .unknownMetric: 100, .wrongType: 700,
                .duplicateSeq: 300, .tooLate: 35, .futureTimestamp: 400,
            ])
        #expect(messages.filter { $0.fault == nil }.count == 7715)
    }

    @Test func countsAreExactForACountThatIsNotARoundNumberAndFaultsAreSpreadOverTheRun() throws {
        let messages = try makeMessages(count: 1234, faults: [.wrongType: 10])
        let faulty = messages.filter { $0.fault == .wrongType }.map(\.index)
        #expect(faulty.count == 123)
        #expect(faulty.filter { $0 < 617 }.count == 63)
        #expect(Set(messages.filter { $0.fault != nil }.map(\.deviceIndex)).count == 53)
    }

    @Test func readingLevelFaultsMarkExactlyTheReadingsTheGatewayShouldQuarantine() throws {
        let messages = try makeMessages(
            count: 5000, faults: [.outOfRange: 4, .unknownMetric: 4, .wrongType: 4, .tooLate: 4, .futureTimestamp: 4])
        for message in messages {
            let marked = message.readings.filter { $0.fault != nil }
            switch message.fault {
            case nil:
                #expect(marked.isEmpty)
            case .outOfRange?, .unknownMetric?, .wrongType?:
                #expect(marked.count == 1)
                #expect(marked.first?.fault == message.fault)
            case .tooLate?, .futureTimestamp?:
                #expect(marked.count == message.readings.count)
                #expect(message.shape != .plain)
            default:
                Issue.record("unexpected fault \(String(describing: message.fault))")
            }
            #expect(message.messageFault == nil)
        }
    }

    @Test func outOfRangeValuesAreOutsideTheRangeInRangeReadingsOfTheMessageAreUntouched() throws {
        let messages = try makeMessages(count: 2000, faults: [.outOfRange: 50])
        let metrics = DeviceKind.allCases.flatMap(\.metrics)
        var above = 0
        for reading in messages.flatMap(\.readings) {
            let metric = try #require(metrics.first { $0.name == reading.metric })
            guard case .number(let value) = reading.value else { continue }
            let range = try #require(metric.range)
            #expect(range.contains(value) == (reading.fault == nil), "\(reading.metric) = \(value)")
            if reading.fault == .outOfRange && value > range.upperBound { above += 1 }
        }
        #expect(messages.filter { $0.fault == .outOfRange }.count == 1000)
        #expect(above == 470)
    }

    @Test func wrongTypeValuesAreStringsOrTrueForGaugesAndCountersNumbersForStates() throws {
        let messages = try makeMessages(count: 3000, faults: [.wrongType: 30])
        var kinds: [String: Int] = [:]
        for reading in messages.flatMap(\.readings) where reading.fault == .wrongType {
            switch (reading.kind, reading.value) {
            case (.state?, .number): kinds["state-number", default: 0] += 1
            case (.gauge?, .string), (.counter?, .string): kinds["numeric-string", default: 0] += 1
            case (.gauge?, .bool(true)), (.counter?, .bool(true)): kinds["numeric-true", default: 0] += 1
            default: Issue.record("wrong_type \(reading.metric) = \(reading.value)")
            }
        }
        #expect(kinds == ["state-number": 45, "numeric-string": 393, "numeric-true": 462])
    }

    @Test func anUnknownMetricIsOneExtraReadingWithNoKind() throws {
        let messages = try makeMessages(count: 600, faults: [.unknownMetric: 100])
        for message in messages {
            let unknown = message.readings.filter { $0.fault == .unknownMetric }
            #expect(unknown.count == 1)
            #expect(unknown.first?.kind == nil)
            #expect(MessageFactory.unknownMetricNames.contains(unknown.first?.metric ?? ""))
            let kind = Fleet(count: 60, seed: 1).devices[message.deviceIndex].kind
            #expect(message.readings.count == kind.metrics.count + 1)
        }
    }

    @Test func lateAndFutureMessagesShiftEveryTsBy10MinAnd1HLateNeedsACleanMessageFirst() throws {
        let messages = try makeMessages(
            count: 3000, devices: 10, options: MessageOptions(shapes: [.plain, .array]),
            faults: [.tooLate: 20, .futureTimestamp: 20])
        var cleanSeen = Set<Int>()
        for message in messages {
            let now = testEpochMilliseconds + Int64(message.index) * 5
            let last = message.readings.compactMap(\.ts).max()
            switch message.fault {
            case .tooLate?:
                #expect(cleanSeen.contains(message.deviceIndex))
                #expect(last == now - 600_000)
                #expect(message.shape == .array)
            case .futureTimestamp?:
                #expect(last == now + 3_600_000)
            case nil:
                cleanSeen.insert(message.deviceIndex)
                if message.shape == .array { #expect(last == now) }
            default:
                Issue.record("unexpected fault")
            }
        }
        #expect(messages.filter { $0.fault == .tooLate }.count == 600)
        #expect(messages.filter { $0.fault == .futureTimestamp }.count == 600)
    }

    @Test func at100LateEachDevicesFirstMessageGoesOutCleanAndTheFaultStaysOwed() throws {
        let messages = try makeMessages(count: 500, devices: 10, options: MessageOptions(shapes: [.ts]), faults: [.tooLate: 100])
        #expect(messages.prefix(10).allSatisfy { $0.fault == nil })
        #expect(messages.dropFirst(10).allSatisfy { $0.fault == .tooLate })
    }

    @Test func at100DuplicatesEachDeviceSendsOneFreshMessageAndThenOnlyRepeatsIt() throws {
        let messages = try makeMessages(count: 40, devices: 10, faults: [.duplicateSeq: 100])
        #expect(messages.prefix(10).allSatisfy { $0.fault == nil })
        #expect(messages.dropFirst(10).allSatisfy { $0.fault == .duplicateSeq })
        #expect(messages[30].payload == messages[0].payload)
    }

    @Test func aDuplicateIsTheDevicesPreviousMessageByteForByteAndOnlyFollowsACleanOne() throws {
        let messages = try makeMessages(count: 4000, devices: 8, faults: [.duplicateSeq: 10, .wrongType: 10])
        var previous: [Int: SimMessage] = [:]
        for message in messages {
            if message.fault == .duplicateSeq {
                let original = try #require(previous[message.deviceIndex])
                #expect(original.fault == nil || original.fault == .duplicateSeq)
                #expect(message.payload == original.payload)
                #expect(message.seq == original.seq)
                #expect(message.shape == original.shape)
                #expect(message.readings.isEmpty)
                #expect(message.messageFault == .duplicateSeq)
            }
            previous[message.deviceIndex] = message
        }
        #expect(messages.filter { $0.fault == .duplicateSeq }.count == 400)
    }

    @Test func withoutSeqADuplicateIsThePreviousCleanMessageByteForByteRecordedAsDuplicatePayload() throws {
        let options = MessageOptions(shapes: [.ts, .array, .batch], seqEnabled: false)
        let messages = try makeMessages(
            count: 4000, devices: 8, options: options, faults: [.duplicatePayload: 10, .wrongType: 10])
        var previous: [Int: SimMessage] = [:]
        for message in messages {
            #expect(message.seq == nil)
            if message.fault == .duplicatePayload {
                let original = try #require(previous[message.deviceIndex])
                #expect(original.fault == nil || original.fault == .duplicatePayload)
                #expect(message.payload == original.payload)
                #expect(message.shape == original.shape)
                #expect(message.readings.isEmpty)
                #expect(message.messageFault == .duplicatePayload)
            }
            previous[message.deviceIndex] = message
        }
        let counts = Dictionary(grouping: messages.compactMap(\.fault), by: { $0 }).mapValues(\.count)
        #expect(counts == [.duplicatePayload: 400, .wrongType: 400])
        #expect(Set(messages.compactMap(\.shape)) == [.ts, .array, .batch])
    }

    @Test func withoutSeqAPlainMessageIsNeverRepeatedTheDuplicateWaitsForATimestampedOne() throws {
        let options = MessageOptions(shapes: [.plain, .ts], seqEnabled: false)
        let messages = try makeMessages(count: 2000, devices: 5, options: options, faults: [.duplicatePayload: 20])
        var previous: [Int: SimMessage] = [:]
        for message in messages {
            if message.fault == .duplicatePayload {
                #expect(previous[message.deviceIndex]?.shape == .ts)
                #expect(message.shape == .ts)
            }
            previous[message.deviceIndex] = message
        }
        #expect(messages.filter { $0.fault == .duplicatePayload }.count == 400)
        #expect(messages.filter { $0.fault == .duplicateSeq }.isEmpty)
    }

    @Test func theDuplicateFaultFollowsSeqDuplicateSeqNeverAppliesWithoutSeqDuplicatePayloadNeverWithIt() throws {
        let withSeq = try makeMessages(
            count: 500, devices: 5, options: MessageOptions(shapes: [.ts]), faults: [.duplicatePayload: 20])
        #expect(withSeq.allSatisfy { $0.fault == nil })
        let withoutSeq = try makeMessages(
            count: 500, devices: 5, options: MessageOptions(shapes: [.ts], seqEnabled: false), faults: [.duplicateSeq: 20])
        #expect(withoutSeq.allSatisfy { $0.fault == nil })
    }

    @Test func percentagesOutside0100OrAddingUpPast100AreRefusedWithTheOptionNamed() {
        #expect(throws: SimError("--fault-late 101.0: expected a percentage from 0 to 100")) {
            try FaultPlan(percentages: [.tooLate: 101])
        }
        #expect(throws: SimError("--fault-malformed -1.0: expected a percentage from 0 to 100")) {
            try FaultPlan(percentages: [.malformedPayload: -1])
        }
        #expect(
            throws: SimError(
                "fault percentages add up to 110.0 (--fault-malformed 60.0, --fault-duplicate 50.0): at most one fault per message, so they must add up to at most 100"
            )
        ) {
            try FaultPlan(percentages: [.malformedPayload: 60, .duplicateSeq: 50])
        }
    }

    @Test func quotasRoundPerFaultAndNeverExceedTheBlock() throws {
        let plan = try FaultPlan(percentages: [.malformedPayload: 33.35, .outOfRange: 33.35, .wrongType: 33.3], blockSize: 10)
        #expect(
            plan.quotaByFault == [
                .malformedPayload: 4, .outOfRange: 3, .unknownMetric: 0, .wrongType: 3, .duplicateSeq: 0, .duplicatePayload: 0,
                .tooLate: 0, .futureTimestamp: 0,
            ])
        let small = try FaultPlan(percentages: [.unknownMetric: 0.01])
        #expect(small.quotaByFault[.unknownMetric] == 1)
        #expect(try FaultPlan(percentages: [:]).isEmpty)
    }

    @Test func blocksRepeat25000MessagesAt2InBlocksOf10000GiveExactly200PerFullBlock() throws {
        var plan = try FaultPlan(percentages: [.wrongType: 2])
        var random = SeededGenerator(seed: 3)
        var perBlock = [0, 0, 0]
        for message in 0..<25_000 {
            if let fault = plan.draw(using: &random) {
                plan.settle(fault, applied: true)
                perBlock[message / 10_000] += 1
            }
        }
        #expect(perBlock == [200, 200, 104])
    }
}
