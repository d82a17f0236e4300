/// Why a metric gives no ``SparkplugValue``.
public enum SparkplugValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither the metric nor its BIRTH gave a datatype (DATA metrics usually carry none: pass the BIRTH's).
    case missingDatatype
    /// The datatype number is not one of the specification's (0–34).
    case unknownDatatype(UInt32)
    /// The datatype is one the gateway cannot aggregate (DataSet, Template, Bytes, File, arrays, property sets,
    /// Unknown); ``SparkplugDataType/unsupportedReason`` says why.
    case unsupportedDatatype(SparkplugDataType)
    /// The metric is not null but carries no value field.
    case missingValue(SparkplugDataType)
    /// The value field does not fit the datatype (such as `string_value` on a Double); `field` is the field's
    /// schema name.
    case fieldMismatch(SparkplugDataType, field: String)
    /// An unsigned value wider than its datatype (such as 300 as a UInt8).
    case outOfRange(SparkplugDataType, value: UInt64)

    public var description: String {
        switch self {
        case .missingDatatype:
            "the metric has no datatype, and none was given from its BIRTH"
        case .unknownDatatype(let number):
            "unknown datatype \(number) (Sparkplug datatypes are 0 to 34)"
        case .unsupportedDatatype(let datatype):
            "unsupported datatype \(datatype.name) (\(datatype.rawValue)): \(datatype.unsupportedReason ?? "not a reading")"
        case .missingValue(let datatype):
            "the \(datatype.name) metric is not null but has no value"
        case .fieldMismatch(let datatype, let field):
            "a \(datatype.name) metric carries its value in \(field), which does not fit the datatype"
        case .outOfRange(let datatype, let value):
            "\(value) is out of range for \(datatype.name)"
        }
    }
}
