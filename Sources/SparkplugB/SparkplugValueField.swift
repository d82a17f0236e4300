/// The value field a metric carries on the wire: one branch of the `value` oneof of the Sparkplug `Metric` message,
/// before its datatype gives it a meaning (see ``SparkplugValue/init(field:isNull:datatype:)``).
public enum SparkplugValueField: Sendable, Equatable {
    /// `int_value` (uint32): Int8, Int16, Int32, UInt8, UInt16 and UInt32 (signed ones as their bits).
    case int(UInt32)
    /// `long_value` (uint64): Int64, UInt64 and DateTime (and UInt32 from some senders).
    case long(UInt64)
    /// `float_value`.
    case float(Float)
    /// `double_value`.
    case double(Double)
    /// `boolean_value`.
    case boolean(Bool)
    /// `string_value`: String, Text and UUID.
    case string(String)
    /// `bytes_value`: Bytes, File and every array type.
    case bytes([UInt8])
    /// `dataset_value`; its rows are not decoded by this module.
    case dataSet
    /// `template_value`; its metrics are not decoded by this module.
    case template
    /// `extension_value`; its contents are not decoded by this module.
    case `extension`

    /// The field's name in the specification's schema (`int_value`, `long_value`…), for messages.
    public var fieldName: String {
        switch self {
        case .int: "int_value"
        case .long: "long_value"
        case .float: "float_value"
        case .double: "double_value"
        case .boolean: "boolean_value"
        case .string: "string_value"
        case .bytes: "bytes_value"
        case .dataSet: "dataset_value"
        case .template: "template_value"
        case .extension: "extension_value"
        }
    }
}
