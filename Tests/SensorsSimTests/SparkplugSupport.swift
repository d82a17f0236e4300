import Foundation
import SparkplugB
import Testing

@testable import SensorsSim

/// Options of a `--format sparkplug` run with the given shapes.
func sparkplugOptions(
    shapes: [PayloadShape] = PayloadShape.singleSample, readingsPerMessage: Int = 0, suffix: String = ""
) -> MessageOptions {
    MessageOptions(
        shapes: shapes, seqEnabled: false, readingsPerMessage: readingsPerMessage, format: .sparkplug, edgeNodeSuffix: suffix)
}

/// What a Sparkplug B run publishes with a fixed clock (+5 ms per data message), as `PublishRun`
/// does: the births due before each data message, the data message, and the deaths at the end.
/// `rebirths` maps a data message number to the edge nodes whose rebirth is requested just
/// before it.
func makeSparkplugRun(
    count: Int, seed: UInt64 = 1, devices: Int = 30, options: MessageOptions = sparkplugOptions(),
    faults: [Fault: Double] = [:], rebirths: [Int: [Int]] = [:], deaths: Bool = true
) throws -> [SimMessage] {
    let plan = try FaultPlan(percentages: faults, blockSize: count)
    var factory = MessageFactory(fleet: Fleet(count: devices, seed: seed), options: options, plan: plan, seed: seed)
    var messages: [SimMessage] = []
    for number in 0..<count {
        let now = testEpochMilliseconds + Int64(number) * 5
        for node in rebirths[number] ?? [] {
            let topic = try #require(factory.sparkplug?.nodes[node].commandTopic)
            _ = factory.answerCommand(
                topic: topic, payload: try SparkplugPayloadEncoder().rebirthRequest(timestamp: UInt64(now)))
        }
        messages += factory.sparkplugBirths(atMilliseconds: now)
        messages.append(factory.next(atMilliseconds: now))
    }
    if deaths { messages += factory.sparkplugDeaths(atMilliseconds: testEpochMilliseconds + Int64(count) * 5) }
    return messages
}

/// Decodes a payload the simulator wrote, failing the test when it does not decode.
func decodeSparkplug(_ message: SimMessage) throws -> SparkplugPayload {
    try SparkplugPayloadDecoder().decode(message.payload)
}

/// The metric names of every alias the births in `messages` define, per edge node (`park/site`).
func birthAliases(_ messages: [SimMessage]) throws -> [String: [UInt64: String]] {
    var aliases: [String: [UInt64: String]] = [:]
    for message in messages where message.sparkplug?.type == .deviceBirth {
        for metric in try decodeSparkplug(message).metrics {
            let alias = try #require(metric.alias)
            let name: String = try #require(metric.name)
            aliases["\(message.park)/\(message.site)", default: [:]][alias] = name
        }
    }
    return aliases
}

/// The value field a ledger value is written as.
func expectedField(_ value: ReadingValue) -> SparkplugValueField {
    switch value {
    case .number(let number): .double(number)
    case .string(let text): .string(text)
    case .bool(let flag): .boolean(flag)
    }
}
