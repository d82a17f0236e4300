import Foundation
import Testing

@testable import SensorsSim

/// `--format line`: the exact line protocol written for each entry, the topics, no seq, and
/// malformed payloads that break the line protocol reference.
@Suite("Line protocol payloads")
struct LinePayloadTests {
    @Test func eachEntryIsALineWithItsDeviceTagFieldsAndMillisecondTimestamp() {
        let payload = LinePayload.encode(
            entries: [
                PayloadShape.Entry(
                    ts: 1_763_700_000_123,
                    values: [
                        ("temperature_c", .number(24.1)), ("parts_total", .number(150)), ("machine_state", .string("running")),
                    ]),
                PayloadShape.Entry(ts: 1_763_700_000_125, values: [("door_open", .bool(true))]),
            ], device: "mch-0007")
        #expect(
            String(decoding: payload, as: UTF8.self) == """
                telemetry,device=mch-0007 temperature_c=24.1,parts_total=150.0,machine_state="running" 1763700000123
                telemetry,device=mch-0007 door_open=true 1763700000125
                """)
    }

    @Test func anEntryWithoutTimestampHasNoneAndNamesAndStringsAreEscaped() {
        let payload = LinePayload.encode(
            entries: [PayloadShape.Entry(ts: nil, values: [("a b,c=d", .string(#"say "x" \ y"#))])], device: "d 1,=x")
        #expect(String(decoding: payload, as: UTF8.self) == #"telemetry,device=d\ 1\,\=x a\ b\,c\=d="say \"x\" \\ y""#)
    }

    @Test func lineMessagesGoToTheSitesLineTopicWithoutSeqAndMalformedOnesBreakTheProtocol() throws {
        var options = MessageOptions(shapes: [.plain, .ts, .array, .batch], seqEnabled: false)
        options.format = .line
        options.readingsPerMessage = 4
        let messages = try makeMessages(
            count: 2000, devices: 12, options: options, faults: [.malformedPayload: 5, .duplicatePayload: 0, .wrongType: 5])
        #expect(messages.allSatisfy { $0.seq == nil && $0.topic == "iiot/\($0.park)/\($0.site)/line" })
        let malformed = messages.filter { $0.fault == .malformedPayload }
        #expect(malformed.count == 100)
        let kinds = Set(
            malformed.map { String(decoding: $0.payload, as: UTF8.self) }.map { text -> String in
                if text.hasSuffix("=") { return "missing value" }
                if text.hasSuffix("=12x") { return "bad value" }
                if text.hasSuffix("=\"open") { return "unterminated" }
                return text.contains(" ") ? "other" : "no fields"
            })
        #expect(kinds == ["missing value", "bad value", "unterminated", "no fields"])
        // Clean messages: one line per timestamp of their readings (none for the plain shape).
        for message in messages where message.fault == nil {
            let lines = String(decoding: message.payload, as: UTF8.self).split(separator: "\n")
            #expect(lines.allSatisfy { $0.hasPrefix("telemetry,device=\(message.device) ") })
            #expect(lines.count == max(1, Set(message.readings.compactMap(\.ts)).count))
        }
    }
}
