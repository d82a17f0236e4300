import Foundation
import Testing

@testable import Telemetry

/// `PayloadDecoder` against Foundation's `JSONSerialization` (DESIGN.md: a hand-written decoder
/// is differential-tested against the library it replaces), with the rules and documented
/// exceptions of `FoundationJSONOracle`, on the libFuzzer seed corpus and on seeded generated
/// payloads: valid ones (whose readings are also checked against the generator's model), shape
/// violations, and one-edit mutants of valid ones.
@Suite("PayloadDecoder vs Foundation")
struct PayloadDecoderDifferentialTests {
    /// Fuzz/corpus/PayloadDecoder, found from this file's path.
    static let corpusDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/PayloadDecoder")

    static func readings(_ input: String) -> DecodedPayload? {
        if case .success(let payload) = FoundationJSONOracle.check(Array(input.utf8)).decoded { return payload }
        return nil
    }

    @Test func agreesWithFoundationOnEverySeedOfTheFuzzCorpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpusDirectory.path).sorted()
        var accepted: [String] = []
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: Self.corpusDirectory.appendingPathComponent(name)))
            let verdict = FoundationJSONOracle.check(bytes)
            #expect(verdict.disagreement == nil, "\(name): \(verdict.disagreement ?? "")")
            if case .success = verdict.decoded { accepted.append(name) }
        }
        #expect(names.count == 54, "50 JSON seeds, 2 of line protocol and 2 of Sparkplug B, which JSON refuses")
        #expect(
            accepted == [
                "array-of-objects.json", "bom.json", "canonical-equivalent-keys.json", "duplicate-keys.json",
                "escaped-keywords.json", "escapes.json", "future-and-old.json", "lone-surrogates.json", "long-mantissa.json",
                "near-size-limit.json", "nested-ok.json", "number-overflow.json", "numbers-edge.json", "out-of-range.json",
                "over-size-limit.json", "plain-object.json", "plain-with-seq.json", "seq-in-second-element.json",
                "timestamped-object.json", "too-many-readings.json", "twenty-readings.json", "unknown-metric.json",
                "utf8-raw.json", "whitespace.json", "wrong-types.json",
            ])
    }

    @Test func documentedExceptionsDecodeAsTheOracleSays() {
        // Former exception 1: invalid UTF-8 inside a string is malformed for both.
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let bytes = [UInt8](#"{"a":""#.utf8) + bad + [UInt8](#""}"#.utf8)
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) == nil)
            let invalid = FoundationJSONOracle.check(bytes)
            #expect(invalid.disagreement == nil && !invalid.foundationAccepts, "\(bad)")
            #expect(throws: PayloadError.malformed("invalid UTF-8 at byte 6 inside a string (JSON text must be UTF-8)")) {
                try invalid.decoded.get()
            }
        }
        // A leading UTF-8 byte-order mark is ignored by both.
        let marked = FoundationJSONOracle.check(Array("\u{FEFF}{\"a\":1}".utf8))
        #expect(marked.disagreement == nil && marked.foundationAccepts)
        #expect((try? marked.decoded.get())?.readings.first?.value == .number(1))
        // Exception 2: lone surrogates become U+FFFD; Foundation rejects the raw text.
        #expect(
            Self.readings(#"{"a":"\ud800\u0041","b":"\udc00"}"#)?.readings.map(\.value) == [
                .string("\u{FFFD}A"), .string("\u{FFFD}"),
            ])
        // Exception 3: overflow is ±infinity, which the pipeline quarantines as out_of_range.
        #expect(Self.readings(#"{"a":1e400,"b":-1e999}"#)?.readings.map(\.value) == [.number(.infinity), .number(-.infinity)])
        // … but not where a key belongs (found by Fuzz/PayloadDecoder): both reject.
        let keyPosition = FoundationJSONOracle.check(Array(#"{"a":1, 1e400: 2}"#.utf8))
        #expect(keyPosition.disagreement == nil && !keyPosition.foundationAccepts)
        // Exception 4: Foundation's decimal is not correctly rounded; the decoder's number is.
        let long = "0.1234567890123456789012345"
        let tree = try? JSONSerialization.jsonObject(with: Data("[\(long)]".utf8)) as? [NSNumber]
        #expect(tree?.first is NSDecimalNumber && tree?.first?.doubleValue == 0.12345678901234573)
        #expect(Self.readings("{\"a\":\(long)}")?.readings.first?.value == .number(0.12345678901234568))
        // Exception 7: Foundation's trailing comma is malformed here.
        for lenient in [#"{"a":1,}"#, #"{"a":[1,]}"#] {
            let verdict = FoundationJSONOracle.check(Array(lenient.utf8))
            #expect(verdict.foundationAccepts && verdict.disagreement == nil, "\(lenient)")
            #expect(throws: PayloadError.self) { try verdict.decoded.get() }
        }
    }

    @Test func tenThousandGeneratedPayloadsDecodeToTheirModelAndAgreeWithFoundation() {
        var generator = PayloadGenerator(seed: 0x5EED_0001)
        var readings = 0
        var infinite = 0
        var twentyDigitSeqs = 0
        var disagreements: [String] = []
        var modelMismatches: [String] = []
        for _ in 0..<10_000 {
            let sample = generator.next()
            let verdict = FoundationJSONOracle.check(sample.bytes)
            let text = String(decoding: sample.bytes, as: UTF8.self)
            if let disagreement = verdict.disagreement { disagreements.append("\(text): \(disagreement)") }
            if (try? verdict.decoded.get()) != sample.expected { modelMismatches.append(text) }
            readings += sample.expected.readings.count
            if let seq = sample.expected.seq, seq >= 10_000_000_000_000_000_000 { twentyDigitSeqs += 1 }
            infinite +=
                sample.expected.readings.filter {
                    if case .number(let value) = $0.value { value.isInfinite } else { false }
                }.count
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
        #expect(modelMismatches.isEmpty, "\(modelMismatches.prefix(3))")
        #expect(readings == 52_633)
        #expect(infinite == 927)
        #expect(twentyDigitSeqs == 460)
    }

    @Test func generatedShapeViolationsAreMalformedThoughFoundationParsesThem() {
        var generator = PayloadGenerator(seed: 0x5EED_0002)
        var failures: [String] = []
        for _ in 0..<2_000 {
            let bytes = generator.shapeViolation()
            let verdict = FoundationJSONOracle.check(bytes)
            guard case .failure(.malformed) = verdict.decoded, verdict.foundationAccepts, verdict.disagreement == nil else {
                failures.append(String(decoding: bytes, as: UTF8.self))
                continue
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }

    @Test func tenThousandMutantsAgreeWithFoundation() {
        var generator = PayloadGenerator(seed: 0x5EED_0003)
        var accepted = 0
        var foundationAccepted = 0
        var disagreements: [String] = []
        for _ in 0..<10_000 {
            let bytes = generator.mutate(generator.next().bytes)
            let verdict = FoundationJSONOracle.check(bytes)
            if let disagreement = verdict.disagreement {
                disagreements.append("\(String(decoding: bytes, as: UTF8.self)): \(disagreement)")
            }
            if case .success = verdict.decoded { accepted += 1 }
            if verdict.foundationAccepts { foundationAccepted += 1 }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
        #expect(accepted == 2_706)
        #expect(foundationAccepted == 3_121)
    }
}
