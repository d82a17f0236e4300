import SwiftProtobuf

/// Decodes Sparkplug B payloads (the protobuf `Payload` message of Sparkplug 3.0.0 section 6.4.1) from bytes.
///
/// Any bytes are safe input: the decoder throws on what is not a payload and never traps. A payload over the size
/// limit is not parsed at all, which bounds the memory one message can take; nesting (templates and property sets)
/// is bounded too. Unknown fields and extensions are dropped. The value of each metric is kept as its raw field
/// (``SparkplugValueField``): ``SparkplugMetric/value(birthDatatype:)`` interprets it.
public struct SparkplugPayloadDecoder: Sendable {
    /// The largest payload, in bytes, that is parsed.
    public var maxPayloadBytes: Int
    /// The most metrics a payload may hold.
    public var maxMetrics: Int
    /// The deepest nesting of messages inside the payload.
    public var maxDepth: Int

    /// A decoder with the given limits. The defaults are the gateway's payload limit (64 KiB), room for a large
    /// BIRTH, and nesting deep enough for templates inside templates.
    public init(maxPayloadBytes: Int = 65536, maxMetrics: Int = 10000, maxDepth: Int = 32) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxMetrics = maxMetrics
        self.maxDepth = maxDepth
    }

    /// Decodes a payload from the bytes of an MQTT message.
    ///
    /// - Throws: ``SparkplugPayloadError`` saying what was wrong.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(SparkplugPayloadError) -> SparkplugPayload {
        guard bytes.count <= maxPayloadBytes else { throw .tooLarge(bytes: bytes.count, limit: maxPayloadBytes) }
        return try decode(Array(bytes))
    }

    /// Decodes a payload from bytes.
    ///
    /// - Throws: ``SparkplugPayloadError`` saying what was wrong.
    public func decode(_ bytes: [UInt8]) throws(SparkplugPayloadError) -> SparkplugPayload {
        guard bytes.count <= maxPayloadBytes else { throw .tooLarge(bytes: bytes.count, limit: maxPayloadBytes) }
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = maxDepth
        options.discardUnknownFields = true
        let message: Org_Eclipse_Tahu_Protobuf_Payload
        do {
            message = try Org_Eclipse_Tahu_Protobuf_Payload(serializedBytes: bytes, options: options)
        } catch BinaryDecodingError.truncated {
            throw .truncated
        } catch BinaryDecodingError.invalidUTF8 {
            throw .invalidUTF8
        } catch BinaryDecodingError.messageDepthLimit {
            throw .nestedTooDeep(limit: maxDepth)
        } catch {
            throw .malformed
        }
        guard message.metrics.count <= maxMetrics else {
            throw .tooManyMetrics(count: message.metrics.count, limit: maxMetrics)
        }
        return SparkplugPayload(
            timestamp: message.hasTimestamp ? message.timestamp : nil,
            seq: message.hasSeq ? message.seq : nil,
            metrics: message.metrics.map(Self.metric)
        )
    }

    /// The public view of a generated metric.
    private static func metric(_ metric: Org_Eclipse_Tahu_Protobuf_Payload.Metric) -> SparkplugMetric {
        SparkplugMetric(
            name: metric.hasName ? metric.name : nil,
            alias: metric.hasAlias ? metric.alias : nil,
            timestamp: metric.hasTimestamp ? metric.timestamp : nil,
            datatype: metric.hasDatatype ? metric.datatype : nil,
            isHistorical: metric.isHistorical,
            isTransient: metric.isTransient,
            isNull: metric.isNull,
            field: metric.value.map(Self.field)
        )
    }

    /// The public view of a generated value field.
    private static func field(_ value: Org_Eclipse_Tahu_Protobuf_Payload.Metric.OneOf_Value) -> SparkplugValueField {
        switch value {
        case .intValue(let value): .int(value)
        case .longValue(let value): .long(value)
        case .floatValue(let value): .float(value)
        case .doubleValue(let value): .double(value)
        case .booleanValue(let value): .boolean(value)
        case .stringValue(let value): .string(value)
        case .bytesValue(let value): .bytes(Array(value))
        case .datasetValue: .dataSet
        case .templateValue: .template
        case .extensionValue: .extension
        }
    }
}
