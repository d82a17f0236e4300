/// The Sparkplug B datatype numbers (Sparkplug 3.0.0 section 6.4.16), as a metric's `datatype` field carries them.
public enum SparkplugDataType: UInt32, Sendable, Hashable, CaseIterable {
    /// A placeholder; no metric may declare it.
    case unknown = 0
    case int8 = 1
    case int16 = 2
    case int32 = 3
    case int64 = 4
    case uint8 = 5
    case uint16 = 6
    case uint32 = 7
    case uint64 = 8
    case float = 9
    case double = 10
    case boolean = 11
    case string = 12
    /// Milliseconds since the Unix epoch (UTC), in `long_value`.
    case dateTime = 13
    case text = 14
    case uuid = 15
    case dataSet = 16
    case bytes = 17
    case file = 18
    case template = 19
    case propertySet = 20
    case propertySetList = 21
    case int8Array = 22
    case int16Array = 23
    case int32Array = 24
    case int64Array = 25
    case uint8Array = 26
    case uint16Array = 27
    case uint32Array = 28
    case uint64Array = 29
    case floatArray = 30
    case doubleArray = 31
    case booleanArray = 32
    case stringArray = 33
    case dateTimeArray = 34

    /// The specification's name of the datatype (`Int8`, `UInt64`, `DateTime`, `DoubleArray`…).
    public var name: String {
        switch self {
        case .unknown: "Unknown"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .float: "Float"
        case .double: "Double"
        case .boolean: "Boolean"
        case .string: "String"
        case .dateTime: "DateTime"
        case .text: "Text"
        case .uuid: "UUID"
        case .dataSet: "DataSet"
        case .bytes: "Bytes"
        case .file: "File"
        case .template: "Template"
        case .propertySet: "PropertySet"
        case .propertySetList: "PropertySetList"
        case .int8Array: "Int8Array"
        case .int16Array: "Int16Array"
        case .int32Array: "Int32Array"
        case .int64Array: "Int64Array"
        case .uint8Array: "UInt8Array"
        case .uint16Array: "UInt16Array"
        case .uint32Array: "UInt32Array"
        case .uint64Array: "UInt64Array"
        case .floatArray: "FloatArray"
        case .doubleArray: "DoubleArray"
        case .booleanArray: "BooleanArray"
        case .stringArray: "StringArray"
        case .dateTimeArray: "DateTimeArray"
        }
    }

    /// Why a metric of this datatype gives no ``SparkplugValue``, or `nil` for the datatypes that do (the numbers,
    /// Boolean, String, Text, UUID and DateTime).
    public var unsupportedReason: String? {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double, .boolean, .string,
            .dateTime, .text, .uuid:
            nil
        case .unknown: "Unknown (0) is a placeholder, not a datatype"
        case .dataSet: "a DataSet is a table of rows, not one value"
        case .bytes: "Bytes are opaque binary data, not a value to aggregate"
        case .file: "a File is file contents, not a value to aggregate"
        case .template: "a Template is a structure of metrics, not one value"
        case .propertySet, .propertySetList: "property sets describe metrics; they are not metric values"
        case .int8Array, .int16Array, .int32Array, .int64Array, .uint8Array, .uint16Array, .uint32Array,
            .uint64Array, .floatArray, .doubleArray, .booleanArray, .stringArray, .dateTimeArray:
            "an array holds many values packed in bytes_value, not one value"
        }
    }
}
