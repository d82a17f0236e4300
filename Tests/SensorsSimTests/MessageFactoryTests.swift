import Foundation
import Testing

@testable import SensorsSim

@Suite("Message factory")
struct MessageFactoryTests {
    @Test func theSameSeedAndClockGiveTheSameMessagesByteForByteAnotherSeedDoesNot() throws {
        let faults = allFaults(3)
        let first = try makeMessages(count: 3000, seed: 42, faults: faults)
        let second = try makeMessages(count: 3000, seed: 42, faults: faults)
        let other = try makeMessages(count: 3000, seed: 43, faults: faults)
        #expect(first == second)
        #expect(first.map { Ledger.line(for: $0) } == second.map { Ledger.line(for: $0) })
        #expect(first.filter { $0.payload != other[$0.index].payload }.count > 2900)
    }

    @Test func messagesGoRoundRobinOverDevicesSeqPerDeviceFromSeqStart1PerMessage() throws {
        let messages = try makeMessages(count: 600, devices: 7, seqStart: 100)
        #expect(messages.map(\.deviceIndex) == (0..<600).map { $0 % 7 })
        for device in 0..<7 {
            let seqs = messages.filter { $0.deviceIndex == device }.compactMap(\.seq)
            #expect(seqs == Array(100..<(100 + UInt64(seqs.count))))
        }
    }

    @Test func malformedMessagesCarryAndConsumeNoSeqDuplicatesRepeatThePreviousSeq() throws {
        let messages = try makeMessages(count: 2000, devices: 5, faults: [.malformedPayload: 10, .duplicateSeq: 10])
        #expect(messages.filter { $0.fault == .malformedPayload }.count == 200)
        #expect(messages.filter { $0.fault == .duplicateSeq }.count == 200)
        for device in 0..<5 {
            let mine = messages.filter { $0.deviceIndex == device }
            var expected: UInt64 = 1
            for message in mine {
                switch message.fault {
                case .malformedPayload:
                    #expect(message.seq == nil)
                case .duplicateSeq:
                    #expect(message.seq == expected - 1)
                default:
                    #expect(message.seq == expected)
                    expected += 1
                }
            }
        }
    }

    @Test func noSeqLeavesSeqOutOfEveryPayload() throws {
        let messages = try makeMessages(count: 500, options: MessageOptions(seqEnabled: false), faults: [.outOfRange: 20])
        #expect(messages.allSatisfy { $0.seq == nil })
        #expect(messages.allSatisfy { !String(decoding: $0.payload, as: UTF8.self).contains("\"seq\"") })
    }

    @Test func shapesAreDrawnOnlyFromShapesAndAllOfThemAreUsed() throws {
        let messages = try makeMessages(count: 3000)
        let counts = Dictionary(grouping: messages, by: { $0.shape }).mapValues(\.count)
        #expect(counts[.plain] == 1003)
        #expect(counts[.ts] == 1023)
        #expect(counts[.array] == 974)
        let onlyArray = try makeMessages(count: 300, options: MessageOptions(shapes: [.array]))
        #expect(onlyArray.allSatisfy { $0.shape == .array })
    }

    @Test func arrayShape23EntriesTs15MsApartAndIncreasingTheLastOneNowSeqInTheFirstEntryOnly() throws {
        let messages = try makeMessages(count: 600, options: MessageOptions(shapes: [.array]))
        var entryCounts: [Int: Int] = [:]
        for message in messages {
            let now = testEpochMilliseconds + Int64(message.index) * 5
            let root = try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [[String: Any]])
            entryCounts[root.count, default: 0] += 1
            let stamps = root.compactMap { ($0["ts"] as? NSNumber)?.int64Value }
            #expect(stamps.count == root.count)
            #expect(stamps.last == now)
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { (1...5).contains($1 - $0) })
            #expect(root.first?["seq"] != nil)
            #expect(root.dropFirst().allSatisfy { $0["seq"] == nil })
        }
        // utility meters have only 2 readings, so their arrays have 2 entries
        #expect(entryCounts == [2: 401, 3: 199])
    }

    /// A device publishing faster than an array spreads its entries still never stamps a
    /// reading before its previous message's: its counters grow in event-time order too.
    @Test func aDevicesTimestampsNeverGoBackAcrossMessagesOfEveryTimestampedShape() throws {
        let messages = try makeMessages(
            count: 900, devices: 3, options: MessageOptions(shapes: [.ts, .array, .batch]), stepMilliseconds: 1)
        var latest: [Int: Int64] = [:]
        var moved = 0
        for message in messages {
            let stamps = message.readings.compactMap(\.ts)
            #expect(stamps == stamps.sorted())
            if let first = stamps.first, let previous = latest[message.deviceIndex] {
                #expect(first >= previous, "device \(message.deviceIndex), message \(message.index)")
            }
            if let last = stamps.last {
                if last > testEpochMilliseconds + Int64(message.index) { moved += 1 }
                latest[message.deviceIndex] = last
            }
        }
        #expect(moved > 0, "no message needed moving: the test does not exercise the rule")
    }

    @Test func readingsPerMessageNTakesTheNextNMetricsOfARotatingSelection() throws {
        let messages = try makeMessages(count: 8, devices: 1, options: MessageOptions(shapes: [.ts], readingsPerMessage: 4))
        let names = messages.map { $0.readings.map(\.metric) }
        #expect(names[0] == ["temperature_c", "humidity_pct", "pm25_ugm3", "pm10_ugm3"])
        #expect(names[1] == ["co2_ppm", "noise_dba", "temperature_c", "humidity_pct"])
        #expect(names[2] == ["pm25_ugm3", "pm10_ugm3", "co2_ppm", "noise_dba"])
        let all = try makeMessages(count: 3, devices: 3, options: MessageOptions(readingsPerMessage: 10))
        #expect(all.map(\.readings.count) == [6, 6, 2])
    }

    @Test func everyValidReadingLiesInsideItsRangeRoundedTo2GaugeOr3CounterDecimals() throws {
        let day: Int64 = 86_400_000
        let messages = try makeMessages(count: 20_000, devices: 30, stepMilliseconds: day / 2000)
        var checked = 0
        for message in messages {
            let metrics = DeviceKind.allCases.flatMap(\.metrics)
            for reading in message.readings {
                let metric = try #require(metrics.first { $0.name == reading.metric })
                switch reading.value {
                case .number(let value):
                    let range = try #require(metric.range)
                    #expect(range.contains(value), "\(reading.metric) = \(value)")
                    let scale = metric.kind == .counter ? 1000.0 : 100.0
                    #expect((value * scale).rounded() / scale == value)
                case .string(let state):
                    #expect(metric.states.contains(state))
                case .bool:
                    Issue.record("boolean in a clean message: \(reading.metric)")
                }
                checked += 1
            }
        }
        #expect(checked == 93_336)
    }

    @Test func temperatureFollowsTheDayWarmerAt1400ThanAt0200LocalTime() {
        var device = SimulatedDevice(
            index: 0, kind: .environment, park: "yen-my", site: "f01", topicPrefix: "iiot", seed: 5, seqStart: 1)
        let midnightLocal: Int64 = 1_763_658_000_000  // 2025-11-21T00:00+07:00
        var afternoon = 0.0
        var night = 0.0
        for day in 0..<20 {
            let base = midnightLocal + Int64(day) * 86_400_000
            if case .number(let value) = device.sample(atMilliseconds: base + 14 * 3_600_000)[0] { afternoon += value }
            if case .number(let value) = device.sample(atMilliseconds: base + 26 * 3_600_000)[0] { night += value }
        }
        #expect(SimulatedDevice.localHour(midnightLocal + 14 * 3_600_000) == 14)
        #expect(afternoon / 20 - night / 20 > 3)
    }

    @Test func countersNeverDecreaseExceptOnAResetTo0AndResetsAreRare() throws {
        let messages = try makeMessages(count: 60_000, devices: 3, options: MessageOptions(shapes: [.ts]), stepMilliseconds: 1000)
        var last: [String: Double] = [:]
        var resets = 0
        var increases = 0
        for message in messages where message.deviceIndex == 1 {
            for reading in message.readings where reading.kind == .counter {
                guard case .number(let value) = reading.value else {
                    Issue.record("counter \(reading.metric) not a number"); continue
                }
                if let previous = last[reading.metric] {
                    if value < previous {
                        #expect(value == 0, "\(reading.metric) went from \(previous) to \(value)")
                        resets += 1
                    } else if value > previous {
                        increases += 1
                    }
                }
                last[reading.metric] = value
            }
        }
        #expect(resets == 63)
        #expect(increases == 33_315)
    }

    @Test func machineStateMovesThroughAllFourStates() throws {
        let messages = try makeMessages(count: 30_000, devices: 3)
        let states = messages.flatMap(\.readings).filter { $0.metric == "machine_state" }.map(\.value)
        let counts = Dictionary(
            grouping: states,
            by: { value -> String in
                if case .string(let state) = value { return state }
                return "not a string"
            }
        ).mapValues(\.count)
        #expect(counts == ["running": 7125, "idle": 1446, "fault": 297, "off": 1132])
    }
}
