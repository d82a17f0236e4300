import Foundation

@testable import SensorsSim

/// A JSON scalar as Foundation's parser returned it, with booleans told apart from numbers.
enum ParsedScalar: Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case other(String)

    init(_ any: Any) {
        if let text = any as? String {
            self = .string(text)
        } else if let number = any as? NSNumber {
            self = String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
        } else {
            self = .other(String(describing: any))
        }
    }

    init(_ value: ReadingValue) {
        switch value {
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .bool(let flag): self = .bool(flag)
        }
    }

    var description: String {
        switch self {
        case .number(let number): "\(number)"
        case .string(let text): "\"\(text)\""
        case .bool(let flag): "\(flag)"
        case .other(let text): "?\(text)"
        }
    }
}

/// One reading decoded from a payload by the reference decoder.
struct DecodedReading: Equatable {
    var metric: String
    var ts: Int64?
    var value: ParsedScalar
}

/// A payload decoded by the reference decoder: JSONSerialization plus the wire contract's
/// shape rules. `nil` from `decode` means "not one of the shapes".
struct DecodedPayload: Equatable {
    var seq: UInt64?
    var readings: [DecodedReading]

    /// Keys in payload order are not available from JSONSerialization, so readings are sorted
    /// by (ts, metric) on both sides before comparing.
    static func decode(_ payload: [UInt8]) -> DecodedPayload? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(payload)) else { return nil }
        if let object = root as? [String: Any] {
            if object["values"] != nil {
                guard let entry = decodeEntry(object) else { return nil }
                return DecodedPayload(seq: entry.seq, readings: entry.readings)
            }
            var readings: [DecodedReading] = []
            var seq: UInt64?
            for (key, value) in object {
                if key == "seq" {
                    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
                    seq = number.uint64Value
                } else {
                    readings.append(DecodedReading(metric: key, ts: nil, value: ParsedScalar(value)))
                }
            }
            guard !readings.isEmpty else { return nil }
            return DecodedPayload(seq: seq, readings: readings)
        }
        if let array = root as? [Any], !array.isEmpty {
            var result = DecodedPayload(seq: nil, readings: [])
            for (position, element) in array.enumerated() {
                guard let object = element as? [String: Any], let entry = decodeEntry(object) else { return nil }
                if position == 0 { result.seq = entry.seq } else if entry.seq != nil { return nil }
                result.readings += entry.readings
            }
            return result
        }
        return nil
    }

    private static func decodeEntry(_ object: [String: Any]) -> (seq: UInt64?, readings: [DecodedReading])? {
        guard let ts = object["ts"] as? NSNumber, String(cString: ts.objCType) != "c",
            let values = object["values"] as? [String: Any], !values.isEmpty
        else { return nil }
        let seq = (object["seq"] as? NSNumber)?.uint64Value
        let readings = values.map { DecodedReading(metric: $0.key, ts: ts.int64Value, value: ParsedScalar($0.value)) }
        return (seq, readings)
    }

    func sorted() -> [DecodedReading] {
        readings.sorted { ($0.ts ?? 0, $0.metric) < ($1.ts ?? 0, $1.metric) }
    }
}

extension SimMessage {
    /// The message's readings as the reference decoder would report them, sorted the same way.
    var expectedReadings: [DecodedReading] {
        readings.map { DecodedReading(metric: $0.metric, ts: $0.ts, value: ParsedScalar($0.value)) }
            .sorted { ($0.ts ?? 0, $0.metric) < ($1.ts ?? 0, $1.metric) }
    }
}

/// Fixed clock for tests: 2025-11-21T04:40:00.123Z, +5 ms per message.
let testEpochMilliseconds: Int64 = 1_763_700_000_123

/// Produces `count` messages with a fixed clock.
func makeMessages(
    count: Int,
    seed: UInt64 = 1,
    devices: Int = 60,
    options: MessageOptions = MessageOptions(),
    faults: [Fault: Double] = [:],
    seqStart: UInt64 = 1,
    stepMilliseconds: Int64 = 5
) throws -> [SimMessage] {
    let plan = try FaultPlan(percentages: faults, blockSize: count)
    var factory = MessageFactory(
        fleet: Fleet(count: devices, seed: seed, seqStart: seqStart), options: options, plan: plan, seed: seed)
    return (0..<count).map { factory.next(atMilliseconds: testEpochMilliseconds + Int64($0) * stepMilliseconds) }
}

/// Every fault a run with seq can carry (all but `duplicate_payload`) at `percent`.
func allFaults(_ percent: Double) -> [Fault: Double] {
    Dictionary(uniqueKeysWithValues: Fault.allCases.filter { $0 != .duplicatePayload }.map { ($0, percent) })
}
