import SparkplugB
import Testing

@Suite("SparkplugPayloadDecoder")
struct SparkplugPayloadDecoderTests {
    private let encoder = SparkplugPayloadEncoder()
    private let decoder = SparkplugPayloadDecoder()

    /// A BIRTH-like payload with one metric of each value field and every flag.
    private var sample: SparkplugPayload {
        SparkplugPayload(
            timestamp: 1_714_564_800_000,
            seq: 0,
            metrics: [
                SparkplugMetric(name: "bdSeq", alias: 0, timestamp: 1, datatype: 4, field: .long(0)),
                SparkplugMetric(name: "i8", alias: 1, timestamp: 2, datatype: 1, field: .int(0xFFFF_FFFF)),
                SparkplugMetric(name: "f", alias: 2, timestamp: 3, datatype: 9, isTransient: true, field: .float(-0.5)),
                SparkplugMetric(name: "d", alias: 3, timestamp: 4, datatype: 10, isHistorical: true, field: .double(2.25)),
                SparkplugMetric(name: "b", datatype: 11, field: .boolean(false)),
                SparkplugMetric(name: "s", datatype: 12, field: .string("é ⚙")),
                SparkplugMetric(name: "raw", datatype: 17, field: .bytes([0, 255])),
                SparkplugMetric(name: "table", datatype: 16, field: .dataSet),
                SparkplugMetric(name: "udt", datatype: 19, field: .template),
                SparkplugMetric(name: "ext", datatype: 0, field: .extension),
                SparkplugMetric(name: "n", datatype: 10, isNull: true),
            ]
        )
    }

    @Test func whatTheEncoderWritesDecodesToTheSamePayload() throws {
        let bytes = try encoder.encode(sample)
        #expect(try decoder.decode(bytes) == sample)
        #expect(try bytes.withUnsafeBytes { buffer in try decoder.decode(buffer) } == sample)
    }

    @Test func zeroSeqAndAliasArePresentAndAbsentSeqIsNil() throws {
        let zero = try decoder.decode(
            try encoder.encode(SparkplugPayload(timestamp: 5, seq: 0, metrics: [SparkplugMetric(alias: 0)])))
        #expect(zero.seq == 0)
        #expect(zero.metrics.first?.alias == 0)
        let none = try decoder.decode(try encoder.encode(SparkplugPayload(timestamp: 5)))
        #expect(none.seq == nil)
        #expect(none.timestamp == 5)
        #expect(try decoder.decode([]) == SparkplugPayload())
    }

    @Test func theRebirthRequestIsABooleanTrueByNameWithATimestampAndNoSeq() throws {
        let payload = try decoder.decode(try encoder.rebirthRequest(timestamp: 1_714_564_810_000))
        #expect(payload.timestamp == 1_714_564_810_000)
        #expect(payload.seq == nil)
        #expect(payload.metrics.count == 1)
        let metric = try #require(payload.metrics.first)
        #expect(metric.name == "Node Control/Rebirth")
        #expect(metric.alias == nil)
        #expect(try metric.value() == .boolean(true))
    }

    @Test func aPayloadOverTheSizeLimitIsNotParsed() throws {
        let bytes = try encoder.encode(sample)
        let small = SparkplugPayloadDecoder(maxPayloadBytes: bytes.count - 1)
        #expect(throws: SparkplugPayloadError.tooLarge(bytes: bytes.count, limit: bytes.count - 1)) { try small.decode(bytes) }
        #expect(throws: SparkplugPayloadError.tooLarge(bytes: bytes.count, limit: bytes.count - 1)) {
            try bytes.withUnsafeBytes { buffer in try small.decode(buffer) }
        }
    }

    @Test func aPayloadWithMoreMetricsThanTheLimitIsRejected() throws {
        let bytes = try encoder.encode(sample)
        #expect(throws: SparkplugPayloadError.tooManyMetrics(count: 11, limit: 10)) {
            try SparkplugPayloadDecoder(maxMetrics: 10).decode(bytes)
        }
    }

    @Test func brokenBytesSayWhatIsWrong() throws {
        // A timestamp sent as a length-delimited field is an unknown field (protobuf's rule), dropped.
        #expect(try decoder.decode([0x0A, 0x01, 0x00]) == SparkplugPayload())
        // Field 2 (metrics) claiming 10 bytes with 1 there.
        #expect(throws: SparkplugPayloadError.truncated) { try decoder.decode([0x12, 0x0A, 0x00]) }
        // A metric name (field 1 of field 2) that is not UTF-8.
        #expect(throws: SparkplugPayloadError.invalidUTF8) { try decoder.decode([0x12, 0x03, 0x0A, 0x01, 0xFF]) }
        // Field 0 does not exist; wire type 7 does not exist; an end-group with no group; a varint cut short
        // (swift-protobuf calls that malformed, not truncated).
        #expect(throws: SparkplugPayloadError.malformed) { try decoder.decode([0x00, 0x01]) }
        #expect(throws: SparkplugPayloadError.malformed) { try decoder.decode([0x0F]) }
        #expect(throws: SparkplugPayloadError.malformed) { try decoder.decode([0x0C]) }
        #expect(throws: SparkplugPayloadError.malformed) { try decoder.decode([0x08, 0x80]) }
        #expect(
            SparkplugPayloadError.truncated.description == "the payload ends inside a field (truncated)")
    }

    @Test func nestingDeeperThanTheLimitIsRejected() throws {
        // A metric holding a template holding a metric holding a template…, built from the inside out.
        var nested: [UInt8] = []
        for level in 0..<41 {
            let tag: UInt8 = level.isMultiple(of: 2) ? 0x92 : 0x12  // Metric.template_value = 18 / Template.metrics = 2
            nested = (level.isMultiple(of: 2) ? [tag, 0x01] : [tag]) + Self.varint(nested.count) + nested
        }
        let payload = [0x12] + Self.varint(nested.count) + nested
        #expect(throws: SparkplugPayloadError.nestedTooDeep(limit: 32)) { try decoder.decode(payload) }
        #expect(throws: Never.self) { try SparkplugPayloadDecoder(maxDepth: 100).decode(payload) }
    }

    @Test func randomAndTruncatedBytesNeverTrap() throws {
        var random = SplitMix64(seed: 0x5350_4C55_47)
        let valid = try encoder.encode(sample)
        var decoded = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                bytes = Array(valid.prefix(Int.random(in: 0...valid.count, using: &random)))
            case 2:
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            default:
                // Plausible tags (fields 1–19, every wire type) followed by random bytes.
                bytes = (0..<Int.random(in: 1...32, using: &random)).flatMap { _ in
                    [
                        UInt8.random(in: 1...19, using: &random) << 3 | UInt8.random(in: 0...7, using: &random),
                        UInt8.random(in: 0...255, using: &random),
                    ]
                }
            }
            if let payload = try? decoder.decode(bytes) {
                decoded += 1
                for metric in payload.metrics { _ = try? metric.value(birthDatatype: .double) }
            }
        }
        #expect(decoded > 0)
    }

    private static func varint(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }
}
