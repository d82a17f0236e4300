// Why a hand-written reader of Sparkplug B payloads, when `Sources/SparkplugB` decodes them with
// swift-protobuf from the generated code:
//
// * Telemetry links no SwiftProtobuf: the fuzz build links Telemetry's objects by hand, and the
//   data path stays one module with no code generator behind it.
// * The data path allocates nothing per message once warm. swift-protobuf builds a message
//   object, an array of metrics and a `String` per name; this reader fills a reused
//   `ScannedSparkplugPayload` and leaves names and strings as positions in the payload.
// * A host reads a dozen fields of two messages (`Payload`, `Metric`); metadata, properties,
//   data sets and templates are skipped whole, by their length, without being parsed.
//
// It is tested against the generated decoder on payloads encoded by swift-protobuf and by PyPI
// pysparkplug, and on mutations of them (`SparkplugPayloadScannerTests`): whatever the generated
// decoder reads, this reader reads the same; whatever it refuses, this reader refuses, unless
// the fault is inside a part skipped whole.

/// Reads the fields a Sparkplug B host needs from a payload (the protobuf `Payload` message of
/// Sparkplug 3.0.0, section 6.4.1) into a reused `ScannedSparkplugPayload`.
///
/// Any bytes are safe input: a payload that is not a well-formed `Payload` throws
/// `PayloadError.malformed` naming the byte, and one with more than `maxMetrics` metrics throws
/// `tooManyReadings`. Names and string values must be UTF-8, as protobuf strings are.
struct SparkplugPayloadScanner {
    let maxMetrics: Int

    init(maxMetrics: Int) {
        self.maxMetrics = maxMetrics
    }

    /// Scans `payload` into `scanned` (emptied first). O(payload bytes); allocates nothing once
    /// `scanned.metrics` has the capacity.
    func scan(_ payload: UnsafeRawBufferPointer, into scanned: inout ScannedSparkplugPayload) throws(PayloadError) {
        scanned.removeAll()
        do {
            try scanPayload(payload, into: &scanned)
        } catch let failure as ProtobufWireReader.Failure {
            switch failure {
            case .truncated(let offset):
                throw .malformed("not a Sparkplug B payload: the value at byte \(offset) runs past the end of its message")
            case .malformed(let offset):
                throw .malformed("not a Sparkplug B payload: no valid protobuf field at byte \(offset)")
            }
        } catch let error as PayloadError {
            throw error
        } catch {
            throw .malformed("not a Sparkplug B payload")
        }
    }

    private func scanPayload(_ payload: UnsafeRawBufferPointer, into scanned: inout ScannedSparkplugPayload) throws {
        var reader = ProtobufWireReader(payload)
        while !reader.isAtEnd {
            let (field, wire) = try reader.tag()
            switch field {
            case 1 where wire == .varint:
                scanned.timestamp = try reader.varint()
            case 2 where wire == .lengthDelimited:
                let range = try reader.lengthDelimited()
                guard scanned.metrics.count < maxMetrics else { throw PayloadError.tooManyReadings(limit: maxMetrics) }
                scanned.metrics.append(try metric(in: payload, range))
            case 3 where wire == .varint:
                scanned.seq = try reader.varint()
            default:
                // uuid (4), body (5), extensions, and a known field of another wire type: not read.
                try reader.skip(wire)
            }
        }
    }

    /// One `Metric` message, in `range` of `payload`.
    private func metric(in payload: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> ScannedSparkplugMetric {
        var metric = ScannedSparkplugMetric()
        var reader = ProtobufWireReader(payload, from: range.lowerBound, to: range.upperBound)
        while !reader.isAtEnd {
            let (field, wire) = try reader.tag()
            switch field {
            case 1 where wire == .lengthDelimited:
                metric.name = try utf8(in: payload, reader.lengthDelimited(), field: "metric name")
            case 2 where wire == .varint:
                metric.alias = try reader.varint()
            case 3 where wire == .varint:
                metric.timestamp = try reader.varint()
            case 4 where wire == .varint:
                metric.datatype = UInt32(truncatingIfNeeded: try reader.varint())
            case 5 where wire == .varint:
                metric.isHistorical = try reader.varint() != 0
            case 7 where wire == .varint:
                metric.isNull = try reader.varint() != 0
            case 10 where wire == .varint:
                metric.value = .int(UInt32(truncatingIfNeeded: try reader.varint()))
            case 11 where wire == .varint:
                metric.value = .long(try reader.varint())
            case 12 where wire == .fixed32:
                metric.value = .float(Float(bitPattern: try reader.fixed32()))
            case 13 where wire == .fixed64:
                metric.value = .double(Double(bitPattern: try reader.fixed64()))
            case 14 where wire == .varint:
                metric.value = .boolean(try reader.varint() != 0)
            case 15 where wire == .lengthDelimited:
                metric.value = .string(try utf8(in: payload, reader.lengthDelimited(), field: "string_value"))
            case 16...19 where wire == .lengthDelimited:
                _ = try reader.lengthDelimited()
                metric.value = field == 16 ? .bytes : field == 17 ? .dataSet : field == 18 ? .template : .extension
            default:
                // is_transient (6: a live value not to be historized, aggregated all the same),
                // metadata (8), properties (9), extensions, and a known field sent with another
                // wire type (read as an unknown field, as protobuf decoders do): not read.
                try reader.skip(wire)
            }
        }
        return metric
    }

    /// The token of a string field, checked to be UTF-8.
    private func utf8(
        in payload: UnsafeRawBufferPointer, _ range: Range<Int>, field: String
    ) throws(PayloadError)
        -> StringToken
    {
        if let offset = JSONScanner(payload).firstInvalidUTF8(from: range.lowerBound, to: range.upperBound) {
            throw .malformed("\(field) is not UTF-8 at byte \(offset)")
        }
        return StringToken(start: range.lowerBound, end: range.upperBound, hasEscapes: false)
    }
}
