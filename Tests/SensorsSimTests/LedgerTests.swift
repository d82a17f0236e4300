import Foundation
import Testing

@testable import SensorsSim

@Suite("Ledger")
struct LedgerTests {
    @Test func aLineHasTheDocumentedFieldsAndItsPayloadStringIsTheExactPayload() throws {
        let messages = try makeMessages(count: 3000, faults: allFaults(5))
        for message in messages {
            let line = Ledger.line(for: message)
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(Set(object.keys) == ["n", "topic", "park", "site", "device", "seq", "shape", "fault", "payload", "readings"])
            #expect((object["n"] as? Int) == message.index)
            #expect(object["topic"] as? String == "iiot/\(message.park)/\(message.site)/\(message.device)/telemetry")
            #expect((object["seq"] as? NSNumber)?.uint64Value == message.seq)
            #expect(object["shape"] as? String == message.shape?.rawValue)
            #expect(object["fault"] as? String == message.messageFault?.rawValue)
            let payload = try #require(object["payload"] as? String)
            #expect(Array(payload.utf8) == message.payload)
            let readings = try #require(object["readings"] as? [[String: Any]])
            #expect(readings.count == message.readings.count)
            for (entry, reading) in zip(readings, message.readings) {
                #expect(entry["metric"] as? String == reading.metric)
                #expect(entry["kind"] as? String == reading.kind?.rawValue)
                #expect((entry["ts"] as? NSNumber)?.int64Value == reading.ts)
                #expect(ParsedScalar(entry["v"] as Any) == ParsedScalar(reading.value))
                #expect(entry["fault"] as? String == reading.fault?.rawValue)
                #expect(entry["kind"] is NSNull == (reading.kind == nil))
            }
        }
    }

    @Test func messageLevelFaultsAreNamedInTheLedgerDuplicateSeqWithSeqDuplicatePayloadWithout() throws {
        let runs: [(MessageOptions, [Fault: Double], String)] = [
            (MessageOptions(), [.duplicateSeq: 5, .malformedPayload: 5], "duplicate_seq"),
            (
                MessageOptions(shapes: [.ts, .array, .batch], seqEnabled: false), [.duplicatePayload: 5, .malformedPayload: 5],
                "duplicate_payload"
            ),
        ]
        for (options, faults, duplicate) in runs {
            var names: [String: Int] = [:]
            for message in try makeMessages(count: 1000, devices: 10, options: options, faults: faults) {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(Ledger.line(for: message))) as? [String: Any])
                guard let name = object["fault"] as? String else { continue }
                names[name, default: 0] += 1
                #expect((object["readings"] as? [Any])?.isEmpty == true)
                #expect(object["seq"] is NSNull == (name != "duplicate_seq"))
            }
            #expect(names == [duplicate: 50, "malformed_payload": 50])
        }
    }

    @Test func vIsSpelledInTheLedgerExactlyAsInThePayload() throws {
        let messages = try makeMessages(count: 500, options: MessageOptions(shapes: [.ts]), faults: [.wrongType: 50])
        for message in messages {
            let line = String(decoding: Ledger.line(for: message), as: UTF8.self)
            let payload = String(decoding: message.payload, as: UTF8.self)
            for reading in message.readings {
                var writer = JSONWriter()
                writer.value(reading.value)
                let spelled = String(decoding: writer.bytes, as: UTF8.self)
                #expect(payload.contains("\"\(reading.metric)\":\(spelled)"))
                #expect(line.contains("\"metric\":\"\(reading.metric)\",\"kind\":"))
                #expect(line.contains("\"v\":\(spelled),"))
            }
        }
    }

    @Test func theLedgerOfAMessageIsTheDocumentedExampleLine() {
        let message = SimMessage(
            index: 0, deviceIndex: 3, topic: "iiot/yen-my/f01/env-0003/telemetry", park: "yen-my", site: "f01",
            device: "env-0003",
            seq: 17, shape: .ts, fault: .outOfRange,
            payload: Array(#"{"ts":1763700000123,"seq":17,"values":{"temperature_c":900.0}}"#.utf8),
            readings: [
                .init(metric: "temperature_c", kind: .gauge, ts: 1_763_700_000_123, value: .number(900), fault: .outOfRange)
            ]
        )
        let expected =
            #"{"n":0,"topic":"iiot/yen-my/f01/env-0003/telemetry","park":"yen-my","site":"f01","device":"env-0003","seq":17,"shape":"ts","fault":null,"payload":"{\"ts\":1763700000123,\"seq\":17,\"values\":{\"temperature_c\":900.0}}","readings":[{"metric":"temperature_c","kind":"gauge","ts":1763700000123,"v":900.0,"fault":"out_of_range"}]}"#
            + "\n"
        #expect(String(decoding: Ledger.line(for: message), as: UTF8.self) == expected)
    }

    @Test func controlBytesQuotesAndBackslashesInAPayloadAreEscapedAndComeBackExactly() throws {
        var writer = JSONWriter()
        let raw: [UInt8] = [0, 1, 8, 9, 10, 13, 31, 34, 92, 127, 65]
        writer.string(utf8: raw)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #""\u0000\u0001\u0008\t\n\r\u001f\"\\"# + "\u{7F}A\"")
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(writer.bytes), options: [.fragmentsAllowed]) as? String)
        #expect(Array(parsed.utf8) == raw)
    }

    @Test func aLedgerFileHoldsOneLinePerAppendedMessageInOrderAfterClose() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ledger-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let messages = try makeMessages(count: 1500, faults: allFaults(2))
        let ledger = try Ledger(path: path)
        for message in messages { try ledger.append(message) }
        try ledger.close()
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == messages.flatMap { Ledger.line(for: $0) })
        #expect(written.filter { $0 == UInt8(ascii: "\n") }.count == 1500)
    }

    @Test func anUnwritableLedgerPathIsRefusedWithThePathAndTheReason() {
        #expect(throws: SimError("cannot create ledger file /nonexistent-dir/x.jsonl: No such file or directory")) {
            try Ledger(path: "/nonexistent-dir/x.jsonl")
        }
    }
}
