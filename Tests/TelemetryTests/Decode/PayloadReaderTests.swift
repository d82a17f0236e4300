import SparkplugB
import Testing

@_spi(Benchmarks) @testable import Telemetry

/// The benchmarks' entry to the three payload readers counts what each reads, and refuses
/// what each refuses.
@Suite("Payload reader (benchmarks' entry)")
struct PayloadReaderTests {
    static func readings(_ format: PayloadReader.Format, _ bytes: [UInt8]) -> Int? {
        var reader = PayloadReader(format: format)
        return bytes.withUnsafeBytes { reader.readings(in: $0) }
    }

    @Test func eachFormatCountsItsReadingsAndRefusesWhatItsReaderRefuses() throws {
        #expect(Self.readings(.json, Array(#"{"ts":1,"values":{"a":1,"b":2,"c":"x"}}"#.utf8)) == 3)
        #expect(Self.readings(.json, Array("{".utf8)) == nil)
        #expect(Self.readings(.lineProtocol, Array("m,device=d a=1,b=2 5\nm,device=e c=3i 6\n".utf8)) == 3)
        #expect(Self.readings(.lineProtocol, Array("m a= 5\n".utf8)) == nil)
        let payload = SparkplugPayload(
            seq: 1, metrics: [SparkplugMetric(alias: 1, field: .double(2)), SparkplugMetric(alias: 2, field: .double(3))])
        #expect(Self.readings(.sparkplugB, try SparkplugPayloadEncoder().encode(payload)) == 2)
        #expect(Self.readings(.sparkplugB, [0x12, 0x05]) == nil)
    }
}
