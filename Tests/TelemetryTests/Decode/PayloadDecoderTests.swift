import Testing

@testable import Telemetry

@Suite("PayloadDecoder")
struct PayloadDecoderTests {
    private func decode(_ text: String, maxReadings: Int = 100) throws(PayloadError) -> DecodedPayload {
        var payload = DecodedPayload()
        var bytes = Array(text.utf8)
        let decoder = PayloadDecoder(maxReadings: maxReadings)
        var failure: PayloadError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(PayloadError) {
                try decoder.decode(UnsafeRawBufferPointer(buffer), into: &payload)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return payload
    }

    private func malformedDetail(_ text: String) -> String? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            if case .malformed(let detail) = error { return detail }
            return nil
        }
    }

    @Test func plainObjectUsesReceiveTime() throws {
        let payload = try decode(#"{"temperature_c": 24.1, "humidity_pct": 61}"#)
        #expect(payload.seq == nil)
        #expect(
            payload.readings == [
                DecodedReading(metric: "temperature_c", timestampMillis: nil, value: .number(24.1)),
                DecodedReading(metric: "humidity_pct", timestampMillis: nil, value: .number(61)),
            ])
    }

    @Test func timestampedObjectWithSeqInAnyOrder() throws {
        let payload = try decode(
            #"{"values": {"temperature_c": -3.5e1, "machine_state": "running"}, "seq": 17, "ts": 1763700000123}"#)
        #expect(payload.seq == 17)
        #expect(
            payload.readings == [
                DecodedReading(metric: "temperature_c", timestampMillis: 1_763_700_000_123, value: .number(-35)),
                DecodedReading(metric: "machine_state", timestampMillis: 1_763_700_000_123, value: .string("running")),
            ])
    }

    @Test func arrayOfTimestampedObjects() throws {
        let payload = try decode(#"[{"ts":1,"seq":9,"values":{"a":1}},{"ts":2,"values":{"a":2,"b":true}}]"#)
        #expect(payload.seq == 9)
        #expect(
            payload.readings == [
                DecodedReading(metric: "a", timestampMillis: 1, value: .number(1)),
                DecodedReading(metric: "a", timestampMillis: 2, value: .number(2)),
                DecodedReading(metric: "b", timestampMillis: 2, value: .bool(true)),
            ])
    }

    @Test func keepsExactJSONTypes() throws {
        let payload = try decode(#"{"a": true, "b": null, "c": {"x": [1, {"y": 2}]}, "d": "1", "e": 0}"#)
        #expect(payload.readings.map(\.value) == [.bool(true), .null, .composite, .string("1"), .number(0)])
    }

    @Test func numbersRoundLikeTheStandardLibrary() throws {
        let texts = [
            "0.1", "123456789012345678", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308",
            "0.30000000000000004", "9007199254740993", "-0.0", "1E+2", "123.456e-7", "0.000001234",
        ]
        for text in texts {
            let payload = try decode("{\"v\": \(text)}")
            #expect(payload.readings.first?.value == .number(Double(text) ?? .nan), "\(text)")
        }
    }

    @Test func resolvesEscapesInNames() throws {
        let payload = try decode(#"{"temp\u00e9rature\n\"x\"\ud83d\ude00": 1}"#)
        #expect(payload.readings.first?.metric == "temp\u{E9}rature\n\"x\"\u{1F600}")
    }

    @Test func rejectsMalformedPayloadsWithAPosition() {
        #expect(malformedDetail("") == "empty payload")
        #expect(malformedDetail("{\"a\": 1") == "payload ends early: expected ',' or '}'")
        #expect(malformedDetail("{\"a\": 01}") == "number with a leading zero at byte 6")
        #expect(malformedDetail("{\"a\": NaN}") == "invalid number at byte 6")
        #expect(malformedDetail("[1,2]") == "array element at byte 1 must be an object {\"ts\": …, \"values\": {…}}")
        #expect(malformedDetail("{\"values\": 3}") == "\"values\" must be an object of metric names to values (byte 11)")
        #expect(malformedDetail("{\"ts\": 5, \"a\": 1}") == "\"ts\" without \"values\": use {\"ts\": …, \"values\": {…}}")
        #expect(
            malformedDetail("{\"ts\": 1.5, \"values\": {\"a\": 1}}")
                == "\"ts\" must be a non-negative integer of milliseconds since 1970 (byte 7)")
        #expect(malformedDetail("{\"seq\": -1, \"a\": 1}") == "\"seq\" must be a non-negative integer below 2^64 (byte 8)")
        #expect(malformedDetail("{\"a\": 1} x") == "unexpected data after the JSON value at byte 9")
        #expect(malformedDetail("{\"values\": {}}") == "no readings in the payload")
        #expect(
            malformedDetail("{\"values\": {\"a\": 1}, \"b\": 2}")
                == "unexpected key \"b\" beside \"values\"; put metrics inside \"values\"")
        #expect(malformedDetail("{\"a\": \"x\ny\"}") == "control character 0xa inside a string at byte 8")
        #expect(malformedDetail(String(repeating: "[", count: 40)) != nil)
        #expect(
            malformedDetail("{\"a\": " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}")
                == "nesting deeper than 32 levels at byte 38")
    }

    /// Names are scanned eight bytes at a time: a quote, an escape or a control byte at any
    /// offset of a word (and across the word boundary) must still be found where it is.
    @Test func findsQuotesEscapesAndControlBytesAtEveryOffset() throws {
        for length in 0...24 {
            let name = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            #expect(try decode("{\"\(name)\": 1}").readings.first?.metric == name, "length \(length)")
            for position in 0...length {
                let before = String(name.prefix(position))
                let after = String(name.dropFirst(position))
                let escaped = try decode("{\"\(before)\\\"\(after)\": 1}").readings.first?.metric
                #expect(escaped == before + "\"" + after, "escape at \(position) of \(length)")
                #expect(
                    malformedDetail("{\"\(before)\u{1}\(after)\": 1}")
                        == "control character 0x1 inside a string at byte \(2 + position)", "control at \(position) of \(length)")
                let multibyte = try decode("{\"\(before)é€\(after)\": 1}").readings.first?.metric
                #expect(multibyte == before + "é€" + after)
            }
        }
    }

    /// `ts` has a fast path for plain digit runs; anything else takes the number grammar.
    @Test func readsTimestampsOnTheFastPathAndOffIt() throws {
        let accepted: [(String, Int64)] = [
            ("0", 0), ("7", 7), ("1763700000123", 1_763_700_000_123), ("9007199254740991", 9_007_199_254_740_991),
            ("1763700000123 ", 1_763_700_000_123),
        ]
        for (text, millis) in accepted {
            let payload = try decode("{\"ts\":\(text),\"values\":{\"a\":1}}")
            #expect(payload.readings.first?.timestampMillis == millis, "\(text)")
        }
        let notMillis = "\"ts\" must be a non-negative integer of milliseconds since 1970 (byte 6)"
        let rejected = [
            ("9007199254740992", notMillis), ("17637000001230000", notMillis), ("-5", notMillis), ("1.5", notMillis),
            ("1E3", notMillis), ("1.763700000123e12", notMillis), ("0123", "number with a leading zero at byte 6"),
        ]
        for (text, detail) in rejected {
            #expect(malformedDetail("{\"ts\":\(text),\"values\":{\"a\":1}}") == detail, "\(text)")
        }
    }

    @Test func limitsReadingsPerMessage() {
        #expect(throws: PayloadError.tooManyReadings(limit: 2)) {
            try decode(#"{"a": 1, "b": 2, "c": 3}"#, maxReadings: 2)
        }
        #expect((try? decode(#"{"a": 1, "b": 2}"#, maxReadings: 2))?.readings.count == 2)
    }
}
