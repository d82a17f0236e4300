import SwiftProtobuf

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Encodes Sparkplug B payloads: the gateway's own commands (the rebirth request) and, for tests, any payload,
/// including ones no sender should produce (a value field that does not fit the datatype, say).
///
/// Every field that is set is written, with explicit presence (proto2): a `seq` of 0 or an alias of 0 is sent.
public struct SparkplugPayloadEncoder: Sendable {
    /// The name of the metric that asks an edge node for a rebirth (Sparkplug 3.0.0 section 5.17).
    public static let rebirthMetricName = "Node Control/Rebirth"

    /// An encoder.
    public init() {}

    /// An NCMD payload asking an edge node to publish its NBIRTH and DBIRTHs again: the metric
    /// `Node Control/Rebirth`, Boolean true, by name; the payload timestamp; no `seq` (commands carry none).
    ///
    /// - Parameter timestamp: the send time, ms since the Unix epoch (UTC).
    public func rebirthRequest(timestamp: UInt64) throws -> [UInt8] {
        try encode(
            SparkplugPayload(
                timestamp: timestamp,
                metrics: [
                    SparkplugMetric(
                        name: Self.rebirthMetricName, datatype: SparkplugDataType.boolean.rawValue,
                        field: .boolean(true))
                ]
            )
        )
    }

    /// The protobuf bytes of `payload`. The contents of ``SparkplugValueField/dataSet``,
    /// ``SparkplugValueField/template`` and ``SparkplugValueField/extension`` are written empty.
    ///
    /// - Throws: only if swift-protobuf cannot serialize the message (the schema has no required fields, so
    ///   this does not happen in practice).
    public func encode(_ payload: SparkplugPayload) throws -> [UInt8] {
        var message = Org_Eclipse_Tahu_Protobuf_Payload()
        if let timestamp = payload.timestamp { message.timestamp = timestamp }
        if let seq = payload.seq { message.seq = seq }
        message.metrics = payload.metrics.map(Self.metric)
        return try message.serializedBytes()
    }

    /// The generated message of a metric.
    private static func metric(_ metric: SparkplugMetric) -> Org_Eclipse_Tahu_Protobuf_Payload.Metric {
        var message = Org_Eclipse_Tahu_Protobuf_Payload.Metric()
        if let name = metric.name { message.name = name }
        if let alias = metric.alias { message.alias = alias }
        if let timestamp = metric.timestamp { message.timestamp = timestamp }
        if let datatype = metric.datatype { message.datatype = datatype }
        if metric.isHistorical { message.isHistorical = true }
        if metric.isTransient { message.isTransient = true }
        if metric.isNull { message.isNull = true }
        message.value = metric.field.map(Self.value)
        return message
    }

    /// The generated value field of a value field.
    private static func value(_ field: SparkplugValueField) -> Org_Eclipse_Tahu_Protobuf_Payload.Metric.OneOf_Value {
        switch field {
        case .int(let value): .intValue(value)
        case .long(let value): .longValue(value)
        case .float(let value): .floatValue(value)
        case .double(let value): .doubleValue(value)
        case .boolean(let value): .booleanValue(value)
        case .string(let value): .stringValue(value)
        case .bytes(let value): .bytesValue(Data(value))
        case .dataSet: .datasetValue(Org_Eclipse_Tahu_Protobuf_Payload.DataSet())
        case .template: .templateValue(Org_Eclipse_Tahu_Protobuf_Payload.Template())
        case .extension: .extensionValue(Org_Eclipse_Tahu_Protobuf_Payload.Metric.MetricValueExtension())
        }
    }
}
