/// A metric's value as the gateway can aggregate it: a number, a boolean, a string, a time, or null.
public enum SparkplugValue: Sendable, Equatable {
    /// Int8…UInt64, Float and Double. Integers above 2⁵³ in magnitude are rounded to the nearest Double.
    case number(Double)
    /// Boolean.
    case boolean(Bool)
    /// String, Text and UUID.
    case string(String)
    /// DateTime: milliseconds since the Unix epoch (UTC).
    case dateTime(milliseconds: UInt64)
    /// The metric says its value is null (`is_null`).
    case null

    /// Gives a value field the meaning its datatype says (Sparkplug 3.0.0 section 6.4.17).
    ///
    /// Signed integers travel as their bits in the unsigned fields, and senders differ in how wide: Int8 −1 comes
    /// as 255 or as 0xFFFFFFFF (sign-extended to 32 bits). Both mean −1 here: the bits are truncated to the declared
    /// width and read as signed. Unsigned integers must fit their width, except that a UInt32 may come in
    /// `long_value` (as some senders write it). A null metric (`is_null`) is ``null`` whatever value field it also
    /// carries.
    ///
    /// - Parameters:
    ///   - field: the metric's value field, if it has one.
    ///   - isNull: the metric's `is_null` flag.
    ///   - datatype: the datatype number from the metric or, for DATA metrics that carry none, from its BIRTH.
    /// - Throws: ``SparkplugValueError`` for a missing, unknown or unsupported datatype, a missing value, a value
    ///   field that does not fit the datatype, or an unsigned value too wide for it.
    public init(field: SparkplugValueField?, isNull: Bool, datatype: UInt32?) throws(SparkplugValueError) {
        guard let number = datatype else { throw .missingDatatype }
        guard let datatype = SparkplugDataType(rawValue: number) else { throw .unknownDatatype(number) }
        guard datatype.unsupportedReason == nil else { throw .unsupportedDatatype(datatype) }
        if isNull {
            self = .null
            return
        }
        guard let field else { throw .missingValue(datatype) }
        switch (datatype, field) {
        case (.int8, .int(let bits)): self = .number(Double(Int8(truncatingIfNeeded: bits)))
        case (.int16, .int(let bits)): self = .number(Double(Int16(truncatingIfNeeded: bits)))
        case (.int32, .int(let bits)): self = .number(Double(Int32(bitPattern: bits)))
        case (.int64, .long(let bits)): self = .number(Double(Int64(bitPattern: bits)))
        case (.uint8, .int(let value)): self = .number(Double(try Self.unsigned(value, as: UInt8.self, datatype)))
        case (.uint16, .int(let value)): self = .number(Double(try Self.unsigned(value, as: UInt16.self, datatype)))
        case (.uint32, .int(let value)): self = .number(Double(value))
        case (.uint32, .long(let value)): self = .number(Double(try Self.unsigned(value, as: UInt32.self, datatype)))
        case (.uint64, .long(let value)): self = .number(Double(value))
        case (.float, .float(let value)): self = .number(Double(value))
        case (.double, .double(let value)): self = .number(value)
        case (.boolean, .boolean(let value)): self = .boolean(value)
        case (.string, .string(let value)), (.text, .string(let value)), (.uuid, .string(let value)):
            self = .string(value)
        case (.dateTime, .long(let milliseconds)): self = .dateTime(milliseconds: milliseconds)
        default: throw .fieldMismatch(datatype, field: field.fieldName)
        }
    }

    /// `value` as a `Narrow`, if it fits.
    private static func unsigned<Narrow: FixedWidthInteger>(
        _ value: some BinaryInteger, as _: Narrow.Type, _ datatype: SparkplugDataType
    ) throws(SparkplugValueError) -> Narrow {
        guard let narrow = Narrow(exactly: value) else { throw .outOfRange(datatype, value: UInt64(truncatingIfNeeded: value)) }
        return narrow
    }
}
