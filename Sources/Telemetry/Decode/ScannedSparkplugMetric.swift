/// One metric of a Sparkplug B payload as `SparkplugPayloadScanner` found it: the fields a host
/// reads, with the name a position in the payload. Metadata and properties are not kept.
struct ScannedSparkplugMetric: Equatable {
    /// In BIRTH messages, and in DATA messages of senders that use no aliases.
    var name: StringToken?
    /// Bound to the name by the BIRTH; DATA messages may carry it alone.
    var alias: UInt64?
    /// Acquisition time, ms since the Unix epoch.
    var timestamp: UInt64?
    /// The datatype number: required in BIRTH messages, usually absent in DATA.
    var datatype: UInt32?
    /// A store-and-forward value, not the current one.
    var isHistorical = false
    var isNull = false
    var value = SparkplugWireValue.none
}
