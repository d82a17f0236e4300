/// The payload readers of the three formats (`PayloadDecoder`'s scan for JSON,
/// `LineProtocolDecoder`, `SparkplugPayloadScanner`), each with its reused scratch, for the
/// benchmarks package (SPI `Benchmarks`): each format's cost of reading a message, measured
/// alone, without the validation, alias resolution and aggregation every format shares.
@_spi(Benchmarks) public struct PayloadReader {
    /// A wire format.
    public enum Format: Sendable {
        case json
        /// InfluxDB line protocol, millisecond timestamps, the device in the `device` tag.
        case lineProtocol
        case sparkplugB
    }

    let format: Format
    private let json: PayloadDecoder
    private var scanned = ScannedPayload()
    private let line: LineProtocolDecoder
    private var lines = ScannedLines()
    private let sparkplug: SparkplugPayloadScanner
    private var sparkplugPayload = ScannedSparkplugPayload()

    public init(format: Format, maxReadings: Int = 1_000) {
        self.format = format
        json = PayloadDecoder(maxReadings: maxReadings)
        line = LineProtocolDecoder(
            maxReadings: maxReadings, options: LineProtocolOptions(precision: .milliseconds, deviceTag: "device"))
        sparkplug = SparkplugPayloadScanner(maxMetrics: maxReadings)
    }

    /// Reads `payload` and returns how many readings (Sparkplug B: metrics) it holds, or nil
    /// when it is refused. Allocation-free once the scratch has grown to the payloads' size.
    public mutating func readings(in payload: UnsafeRawBufferPointer) -> Int? {
        do {
            switch format {
            case .json:
                try json.scan(payload, into: &scanned)
                return scanned.readings.count
            case .lineProtocol:
                try line.scan(payload, into: &lines)
                return lines.readings.count
            case .sparkplugB:
                try sparkplug.scan(payload, into: &sparkplugPayload)
                return sparkplugPayload.metrics.count
            }
        } catch {
            return nil
        }
    }
}
