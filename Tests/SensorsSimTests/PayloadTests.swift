import Foundation
import Testing

@testable import SensorsSim

@Suite("Payloads against Foundation's JSON parser")
struct PayloadTests {
    @Test func everyNonMalformedPayloadParsesWithJSONSerializationIntoExactlyTheReadingsAndSeqOfTheMessage() throws {
        let messages = try makeMessages(count: 6000, faults: allFaults(4))
        var compared = 0
        for message in messages where message.fault != .malformedPayload {
            let decoded = try #require(
                DecodedPayload.decode(message.payload),
                "message \(message.index) does not decode: \(String(decoding: message.payload, as: UTF8.self))")
            #expect(decoded.seq == message.seq)
            if message.fault == .duplicateSeq { continue }
            #expect(decoded.sorted() == message.expectedReadings, "message \(message.index)")
            compared += 1
        }
        #expect(compared == 6000 - 240 - 240)
    }

    @Test func malformedPayloadsAreNotOneOfTheShapesAndMostAreNotJSONAtAll() throws {
        let messages = try makeMessages(count: 2000, faults: [.malformedPayload: 50])
        var notJSON = 0
        for message in messages where message.fault == .malformedPayload {
            #expect(DecodedPayload.decode(message.payload) == nil, "decoded: \(String(decoding: message.payload, as: UTF8.self))")
            #expect(message.shape == nil && message.seq == nil && message.readings.isEmpty)
            if (try? JSONSerialization.jsonObject(with: Data(message.payload), options: [.fragmentsAllowed])) == nil {
                notJSON += 1
            }
        }
        #expect(messages.filter { $0.fault == .malformedPayload }.count == 1000)
        #expect(notJSON == 497)
    }

    @Test func theReferenceDecoderAcceptsTheThreeShapesOfTheDesignAndRejectsNearMisses() {
        #expect(DecodedPayload.decode(Array(#"{"seq":17,"temperature_c":24.1,"humidity_pct":61}"#.utf8))?.readings.count == 2)
        #expect(DecodedPayload.decode(Array(#"{"ts":1763700000123,"seq":17,"values":{"temperature_c":24.1}}"#.utf8))?.seq == 17)
        #expect(
            DecodedPayload.decode(Array(#"[{"ts":1,"seq":3,"values":{"a":1}},{"ts":2,"values":{"b":2}}]"#.utf8))?.readings.count
                == 2)
        #expect(DecodedPayload.decode(Array("[1,2]".utf8)) == nil)
        #expect(DecodedPayload.decode(Array(#"{"values":3}"#.utf8)) == nil)
        #expect(DecodedPayload.decode(Array(#"{"ts":1,"values":{"a":1}"#.utf8)) == nil)
    }

    @Test func shapesAreWrittenExactlyAsInTheWireContract() {
        let values: [(name: String, value: ReadingValue)] = [("temperature_c", .number(24.1)), ("humidity_pct", .number(61))]
        let plain = PayloadShape.plain.encode(entries: [.init(ts: nil, values: values)], seq: 17)
        #expect(String(decoding: plain, as: UTF8.self) == #"{"seq":17,"temperature_c":24.1,"humidity_pct":61.0}"#)
        let ts = PayloadShape.ts.encode(entries: [.init(ts: 1_763_700_000_123, values: [values[0]])], seq: nil)
        #expect(String(decoding: ts, as: UTF8.self) == #"{"ts":1763700000123,"values":{"temperature_c":24.1}}"#)
        let array = PayloadShape.array.encode(
            entries: [
                .init(ts: 1, values: [values[0]]),
                .init(ts: 3, values: [("machine_state", .string("idle")), ("x", .bool(true))]),
            ], seq: 5)
        #expect(
            String(decoding: array, as: UTF8.self)
                == #"[{"ts":1,"seq":5,"values":{"temperature_c":24.1}},{"ts":3,"values":{"machine_state":"idle","x":true}}]"#)
    }

    @Test func malformedKindsTruncatedIsAProperPrefixRandomBytesAre7BitAndStartWithAControlByte() {
        var random = SeededGenerator(seed: 11)
        let wellFormed = Array(#"{"ts":1,"values":{"a":1.5}}"#.utf8)
        for _ in 0..<200 {
            let cut = MalformedPayload.truncated.bytes(wellFormed: wellFormed, random: &random)
            #expect(!cut.isEmpty && cut.count < wellFormed.count && Array(wellFormed.prefix(cut.count)) == cut)
            let noise = MalformedPayload.randomBytes.bytes(wellFormed: [], random: &random)
            #expect((8...64).contains(noise.count) && noise[0] < 9 && noise.allSatisfy { $0 < 128 })
        }
        #expect(MalformedPayload.numberArray.bytes(wellFormed: [], random: &random) == Array("[1,2]".utf8))
        #expect(MalformedPayload.valuesNotObject.bytes(wellFormed: [], random: &random) == Array(#"{"values":3}"#.utf8))
    }
}
