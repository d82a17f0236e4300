/// The value field of a Sparkplug B metric as it is on the wire: which member of the `value`
/// oneof the metric set (the last one, as protobuf reads a oneof), before its datatype says what
/// it means. Strings stay positions in the payload.
enum SparkplugWireValue: Equatable {
    /// No value field: a null value, or a metric that only defines itself.
    case none
    /// `int_value` (uint32): Int8…Int32 sign-extended or wrapped, UInt8…UInt32.
    case int(UInt32)
    /// `long_value` (uint64): Int64, UInt64, DateTime, and UInt32 from some senders.
    case long(UInt64)
    case float(Float)
    case double(Double)
    case boolean(Bool)
    /// `string_value`: String, Text, UUID; UTF-8 checked by the scanner.
    case string(StringToken)
    /// `bytes_value`: Bytes, File and the array types.
    case bytes
    case dataSet
    case template
    /// `extension_value`.
    case `extension`
}
