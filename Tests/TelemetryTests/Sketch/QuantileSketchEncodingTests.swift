import Foundation
import Testing

@testable import Telemetry

@Suite("QuantileSketch encoding")
struct QuantileSketchEncodingTests {
    static func examples() throws -> [QuantileSketch] {
        var zeros = QuantileSketch()
        try zeros.add(0)
        try zeros.add(-0.0)
        var tiny = try QuantileSketch(relativeAccuracy: 0.000_001, binLimit: 16_384)
        try tiny.add(Double.leastNormalMagnitude * 2)
        try tiny.add(-Double.greatestFiniteMagnitude / 2)
        return [
            QuantileSketch(), zeros, tiny,
            try sketch(of: [21.5]),
            try sketch(of: [-3, -3, -2.9, 0, 7, 1e9], relativeAccuracy: 0.05, binLimit: 300),
            try sketch(of: QuantileSketchMergeTests.mixedValues(count: 3_000, seed: 1)),
            try sketch(of: QuantileSketchMergeTests.mixedValues(count: 3_000, seed: 2), binLimit: 50),
            try sketch(of: SketchStream.pareto.values(count: 10_000, seed: 3), relativeAccuracy: 0.02),
        ]
    }

    @Test func encodingRoundTripsBinaryAndText() throws {
        for original in try Self.examples() {
            let bytes = original.encoded()
            #expect(try QuantileSketch(encoded: bytes) == original)
            let text = original.encodedText()
            #expect(try QuantileSketch(encodedText: text) == original)
            #expect(text.count == (bytes.count + 2) / 3 * 4)
        }
    }

    /// The format is a contract (docs/formats.md): these bytes must not change.
    @Test func smallSketchesHaveTheDocumentedBytes() throws {
        let alpha: [UInt8] = [0x7B, 0x14, 0xAE, 0x47, 0xE1, 0x7A, 0x84, 0x3F]  // 0.01
        #expect(QuantileSketch().encoded() == [0x01] + alpha + [0x80, 0x10, 0x00, 0x00, 0x00, 0x00])
        // 1.0 is key 0; 1.03 key 2 (one empty key between stays in the run); -1.0 key 0; one 0.
        let sketch = try sketch(of: [1, 1, 1.03, -1, 0])
        let minusOne: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF0, 0xBF]
        let expected: [UInt8] =
            [0x01] + alpha + [0x80, 0x10, 0x00, 0x01]
            + [0x01, 0x00, 0x03, 0x02, 0x00, 0x01]  // positive: 1 run, key 0, 3 keys: 2, 0, 1
            + [0x01, 0x00, 0x01, 0x01]  // negative: 1 run, key 0, 1 key: 1
            + minusOne + [0x7B, 0x14, 0xAE, 0x47, 0xE1, 0x7A, 0xF0, 0x3F]  // min −1, max 1.03
        #expect(sketch.encoded() == expected)
    }

    @Test func threeOrMoreEmptyKeysStartANewRun() throws {
        let mapping = LogarithmicMapping(relativeAccuracy: 0.01)
        let values = [0, 3, 7].map { mapping.value(forKey: $0) }  // keys 0, 3 (2 empty), 7 (3 empty)
        let bytes = try sketch(of: values).encoded()
        // After version, α, limit, flags, zero count: 2 runs: key 0 with 4 keys 1,0,0,1; gap 3, 1 key 1.
        #expect(Array(bytes[13..<24]) == [0x02, 0x00, 0x04, 0x01, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00])
    }

    @Test func everyTruncationIsRejected() throws {
        for original in try Self.examples() {
            let bytes = original.encoded()
            for length in 0..<bytes.count {
                #expect(throws: QuantileSketchDecodingError.self) { try QuantileSketch(encoded: Array(bytes[..<length])) }
            }
            #expect(throws: QuantileSketchDecodingError.trailingBytes(offset: bytes.count)) {
                try QuantileSketch(encoded: bytes + [0])
            }
        }
    }

    /// Random byte changes never trap: each is rejected, or decodes to a sketch that encodes
    /// and decodes to itself and answers quantiles.
    @Test func mutatedEncodingsAreRejectedOrConsistent() throws {
        var random = SplitMix64(seed: 2026)
        for original in try Self.examples() {
            let bytes = original.encoded()
            for _ in 0..<2_000 {
                var mutated = bytes
                for _ in 0..<(1 + random.next(below: 3)) {
                    mutated[random.next(below: mutated.count)] = UInt8(truncatingIfNeeded: random.next())
                }
                guard let decoded = try? QuantileSketch(encoded: mutated) else { continue }
                #expect(try QuantileSketch(encoded: decoded.encoded()) == decoded)
                _ = decoded.quantile(0.5)
            }
        }
    }

    @Test func hostileEncodingsAreRejectedWithTheirReason() throws {
        let alpha: [UInt8] = [0x7B, 0x14, 0xAE, 0x47, 0xE1, 0x7A, 0x84, 0x3F]
        let header: [UInt8] = [0x01] + alpha + [0x80, 0x10, 0x00, 0x00]  // limit 2048, no flags, zero count 0
        let cases: [([UInt8], QuantileSketchDecodingError)] = [
            ([], .truncated(offset: 0)),
            ([0x02] + alpha, .unsupportedVersion(2)),
            ([0x01] + [0, 0, 0, 0, 0, 0, 0xF8, 0x7F] + [0x80, 0x10], .outOfRange(field: "relative accuracy", offset: 1)),
            ([0x01] + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F] + [0x80, 0x10], .outOfRange(field: "relative accuracy", offset: 1)),
            ([0x01] + alpha + [0x00], .outOfRange(field: "bin limit", offset: 9)),
            ([0x01] + alpha + [0x81, 0x80, 0x01], .outOfRange(field: "bin limit", offset: 9)),  // 16,385
            ([0x01] + alpha + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], .invalidVarint(offset: 9)),
            ([0x01] + alpha + [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], .invalidVarint(offset: 9)),
            ([0x01] + alpha + [0x80, 0x10, 0x04], .outOfRange(field: "flags", offset: 11)),
            (header + [0x81, 0x10], .outOfRange(field: "number of runs", offset: 13)),  // 2049 runs
            (header + [0x01, 0x00, 0x81, 0x10], .outOfRange(field: "run length", offset: 15)),
            (header + [0x01, 0x00, 0x00], .outOfRange(field: "run length", offset: 15)),
            (header + [0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x01], .outOfRange(field: "key", offset: 14)),
            (header + [0x02, 0x00, 0x01, 0x01, 0x81, 0x10, 0x01, 0x01], .outOfRange(field: "gap between runs", offset: 17)),
            (header + [0x02, 0x00, 0x01, 0x01, 0xFF, 0x0F, 0x01, 0x01], .spanExceedsBinLimit(offset: 17)),  // 1 + 2047 + 1
            (header + [0x02, 0x00, 0x01, 0x01, 0x00, 0x01, 0x01], .outOfRange(field: "gap between runs", offset: 17)),
            (header + [0x01, 0x00, 0x02, 0x01, 0x00], .emptyEdgeBin(offset: 14)),
            (header + [0x01, 0x00, 0x01, 0x00], .emptyEdgeBin(offset: 14)),
            ([0x01] + alpha + [0x80, 0x10, 0x01, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00], .inconsistentCollapse(offset: 17)),
            (header + [0x00, 0x00] + Array(repeating: 0, count: 16), .trailingBytes(offset: 15)),
            (
                [0x01] + alpha + [0x80, 0x10, 0x00, 0x01, 0x00, 0x00] + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
                    + [0, 0, 0, 0, 0, 0, 0xF0, 0xBF],
                .outOfRange(field: "minimum and maximum", offset: 15)
            ),
            (
                [0x01] + alpha + [0x80, 0x10, 0x00, 0x01, 0x00, 0x00] + [0, 0, 0, 0, 0, 0, 0xF8, 0x7F]
                    + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F],
                .outOfRange(field: "minimum and maximum", offset: 15)
            ),
        ]
        for (bytes, error) in cases {
            #expect(throws: error, "\(bytes.map { String($0, radix: 16) })") { try QuantileSketch(encoded: bytes) }
        }
    }

    @Test func countsAddUpSaturating() throws {
        let alpha: [UInt8] = [0x7B, 0x14, 0xAE, 0x47, 0xE1, 0x7A, 0x84, 0x3F]
        let max: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        let bytes: [UInt8] =
            [0x01] + alpha + [0x80, 0x10, 0x00] + max + [0x01, 0x00, 0x01] + max + [0x00]
            + [0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
        let sketch = try QuantileSketch(encoded: bytes)
        #expect(sketch.count == .max)
        #expect(try QuantileSketch(encoded: sketch.encoded()) == sketch)
    }

    /// A realistic gauge window: temperature around 22 °C drifting slowly with sensor noise,
    /// and power around 300 kW with load swings; `readings` per window.
    static func gaugeWindow(_ gauge: String, readings: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        var level = gauge == "temperature_c" ? 22.0 : 300.0
        return (0..<readings).map { _ in
            if gauge == "temperature_c" {
                level += 0.02 * random.standardNormal()
                return ((level + 0.1 * random.standardNormal()) * 100).rounded() / 100
            }
            level += 2 * random.standardNormal()
            return ((level + 15 * random.standardNormal()) * 100).rounded() / 100
        }
    }

    /// The "bytes per series-window": 6, 60 and 360 readings (10 s, 1 min and 1 h at
    /// one reading per 10 s), α = 1 %, binary and base64 text. The bounds keep the figures
    /// honest; the printed lines are what the report quotes.
    @Test func bytesPerWindowOfRealisticGauges() throws {
        let bounds = [6: 48, 60: 80, 360: 120]
        for gauge in ["temperature_c", "power_kw"] {
            for readings in [6, 60, 360] {
                var sizes: [Int] = []
                for seed in UInt64(1)...100 {
                    let sketch = try sketch(of: Self.gaugeWindow(gauge, readings: readings, seed: seed))
                    sizes.append(sketch.encoded().count)
                }
                sizes.sort()
                let median = sizes[sizes.count / 2]
                print(
                    "sketch bytes: \(gauge), \(readings) readings: median \(median) B (base64 \((median + 2) / 3 * 4) chars), max \(sizes[sizes.count - 1]) B over 100 windows"
                )
                #expect(sizes[sizes.count - 1] <= bounds[readings] ?? 0, "\(gauge) \(readings)")
            }
        }
    }

    @Test func textThatIsNotPaddedBase64IsRejected() throws {
        let text = try sketch(of: [1, 2, 3]).encodedText()
        for bad in [text + "=", String(text.dropLast()), "*" + text.dropFirst(), "AB=C", "A===", "AB==" + text, "AR=="] {
            #expect(throws: QuantileSketchDecodingError.invalidText, "\(bad)") { try QuantileSketch(encodedText: bad) }
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
        #expect(Base64.decode("") == [])
    }
}
