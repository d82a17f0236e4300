/// One metric of a Sparkplug B payload, as it came on the wire.
public struct SparkplugMetric: Sendable, Equatable {
    /// The metric's name: in BIRTH messages, and in DATA messages of senders that use no aliases.
    public var name: String?
    /// The alias bound to the name by the BIRTH; DATA messages may carry it alone.
    public var alias: UInt64?
    /// Acquisition time, ms since the Unix epoch (UTC).
    public var timestamp: UInt64?
    /// The datatype number (see ``SparkplugDataType``): required in BIRTH messages, usually absent in DATA.
    public var datatype: UInt32?
    /// Not a current value (store-and-forward): it must not update the live value.
    public var isHistorical: Bool
    /// A live value that is not to be historized.
    public var isTransient: Bool
    /// The value is null.
    public var isNull: Bool
    /// The value field, if the metric has one.
    public var field: SparkplugValueField?

    /// A metric; every field but the name is optional on the wire.
    public init(
        name: String? = nil, alias: UInt64? = nil, timestamp: UInt64? = nil, datatype: UInt32? = nil,
        isHistorical: Bool = false, isTransient: Bool = false, isNull: Bool = false, field: SparkplugValueField? = nil
    ) {
        self.name = name
        self.alias = alias
        self.timestamp = timestamp
        self.datatype = datatype
        self.isHistorical = isHistorical
        self.isTransient = isTransient
        self.isNull = isNull
        self.field = field
    }

    /// The metric's value, read with its own datatype or, when it carries none (DATA messages), `birthDatatype`:
    /// see ``SparkplugValue/init(field:isNull:datatype:)``.
    public func value(birthDatatype: SparkplugDataType? = nil) throws(SparkplugValueError) -> SparkplugValue {
        try SparkplugValue(field: field, isNull: isNull, datatype: datatype ?? birthDatatype?.rawValue)
    }
}
