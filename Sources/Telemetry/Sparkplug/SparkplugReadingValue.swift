/// What a Sparkplug B metric's value is as a reading, read by its datatype (sections 6.4.16 and
/// 6.4.17): the integer and floating point types are numbers, Boolean, String, Text and UUID are
/// what a state metric can hold, and the rest (DateTime, Bytes, File, DataSet, Template,
/// property sets, arrays) are no reading.
enum SparkplugReadingValue: Equatable {
    case number(Double)
    case boolean(Bool)
    /// A string value, in the payload.
    case string(StringToken)
    case null
    /// The datatype (named) gives no reading, or the value field does not fit it: why.
    case unsupported(String)

    /// Reads `metric`'s value as `datatype` says. Signed integers sent in the 32-bit field are
    /// truncated to their width and read signed (tahu and pysparkplug send them sign-extended or
    /// wrapped); an integer in the other integer field, or a float in the other float field, is
    /// read too, as lenient senders put them there (UInt32 in `long_value`).
    init(_ metric: ScannedSparkplugMetric, datatype: UInt32) {
        if metric.isNull {
            self = .null
            return
        }
        let bits: UInt64?
        switch metric.value {
        case .int(let value): bits = UInt64(value)
        case .long(let value): bits = value
        default: bits = nil
        }
        switch (datatype, metric.value) {
        case (1...8, _) where bits != nil:
            let raw = bits ?? 0
            switch datatype {
            case 1: self = .number(Double(Int8(truncatingIfNeeded: raw)))
            case 2: self = .number(Double(Int16(truncatingIfNeeded: raw)))
            case 3: self = .number(Double(Int32(truncatingIfNeeded: raw)))
            case 4: self = .number(Double(Int64(bitPattern: raw)))
            case 5: self = .number(Double(UInt8(truncatingIfNeeded: raw)))
            case 6: self = .number(Double(UInt16(truncatingIfNeeded: raw)))
            case 7: self = .number(Double(UInt32(truncatingIfNeeded: raw)))
            default: self = .number(Double(raw))
            }
        case (9...10, .float(let value)): self = .number(Double(value))
        case (9...10, .double(let value)): self = .number(value)
        case (11, .boolean(let value)): self = .boolean(value)
        case (12, .string(let token)), (14, .string(let token)), (15, .string(let token)): self = .string(token)
        case (1...12, _), (14...15, _):
            self = .unsupported("a \(Self.name(of: datatype)) metric whose value is \(Self.describe(metric.value))")
        case (13, _):
            self = .unsupported("a DateTime is a moment, not a measurement")
        default:
            self = .unsupported("a \(Self.name(of: datatype)) metric is not a reading")
        }
    }

    /// The datatype's name in the specification, or its number.
    static func name(of datatype: UInt32) -> String {
        let names = [
            "Unknown", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float", "Double", "Boolean",
            "String", "DateTime", "Text", "UUID", "DataSet", "Bytes", "File", "Template", "PropertySet", "PropertySetList",
            "Int8Array", "Int16Array", "Int32Array", "Int64Array", "UInt8Array", "UInt16Array", "UInt32Array", "UInt64Array",
            "FloatArray", "DoubleArray", "BooleanArray", "StringArray", "DateTimeArray",
        ]
        return datatype < names.count ? names[Int(datatype)] : "datatype \(datatype)"
    }

    private static func describe(_ value: SparkplugWireValue) -> String {
        switch value {
        case .none: "missing"
        case .int: "in int_value"
        case .long: "in long_value"
        case .float: "a float"
        case .double: "a double"
        case .boolean: "a boolean"
        case .string: "a string"
        case .bytes: "bytes"
        case .dataSet: "a data set"
        case .template: "a template"
        case .extension: "an extension"
        }
    }
}
