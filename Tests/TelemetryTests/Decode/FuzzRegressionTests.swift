import Testing

@testable import Telemetry

/// Bugs the libFuzzer targets in Fuzz/ found, each reproduced with its input.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    private func decode(_ text: String) -> DecodedPayload? {
        var payload = DecodedPayload()
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer in
            do throws(PayloadError) {
                try PayloadDecoder(maxReadings: 100).decode(buffer, into: &payload)
                return payload
            } catch {
                return nil
            }
        }
    }

    /// Fuzz/PayloadDecoder against Foundation: `"valu\u0065s"` is the key `values` in JSON, but
    /// the decoder compared raw bytes and took it for a metric named "values" (likewise `ts`
    /// and `seq`), so the payload's readings were lost to `unknown_metric`/`wrong_type`.
    @Test func escapedPayloadKeysAreThePayloadKeys() {
        let payload = decode(#"{"valu\u0065s": {"temperature_c": 1}, "t\u0073": 1763712000000, "s\u0065q": 3}"#)
        #expect(
            payload
                == DecodedPayload(
                    seq: 3,
                    readings: [
                        DecodedReading(metric: "temperature_c", timestampMillis: 1_763_712_000_000, value: .number(1))
                    ]))
        let plain = decode(#"{"\u0073eq": 5, "humidity_pct": 2}"#)
        #expect(
            plain
                == DecodedPayload(
                    seq: 5,
                    readings: [
                        DecodedReading(metric: "humidity_pct", timestampMillis: nil, value: .number(2))
                    ]))
    }

    /// PayloadDecoderDifferentialTests (generated payloads): a `seq` of 20 digits, from 10^19 up
    /// to 2^64 − 1, overflowed the number reader's 19-digit mantissa and the whole message was
    /// quarantined as malformed, although the wire contract allows any unsigned 64-bit `seq`.
    @Test func twentyDigitSeqIsAccepted() {
        #expect(decode(#"{"seq": 18446744073709551615, "a": 1}"#)?.seq == .max)
        #expect(decode(#"{"ts": 1, "seq": 10000000000000000000, "values": {"a": 1}}"#)?.seq == 10_000_000_000_000_000_000)
        #expect(decode(#"{"seq": 18446744073709551616, "a": 1}"#) == nil)
        #expect(decode(#"{"seq": -18446744073709551615, "a": 1}"#) == nil)
        #expect(decode(#"{"seq": 10000000000000000000.0, "a": 1}"#) == nil)
    }

    /// Fuzz/TopicPattern: the pattern was split into levels by `Character`, where `/` followed
    /// by a combining mark (U+0301) is one character, while topics are matched byte by byte; the
    /// pattern `iiot/\u{301}/{park}/{site}/{device}` then matched no topic at all.
    @Test func aCombiningMarkAfterASlashDoesNotJoinLevels() throws {
        let pattern = try TopicPattern("iiot/\u{301}/{park}/{site}/{device}")
        #expect(pattern.segments.count == 5)
        #expect(pattern.match("iiot/\u{301}/yen-my/f01/env-0003") == DeviceKey(park: "yen-my", site: "f01", device: "env-0003"))
        #expect(throws: TopicPatternError.self) { try TopicPattern("iiot/+\u{301}/{park}/{site}/{device}") }
    }
}
