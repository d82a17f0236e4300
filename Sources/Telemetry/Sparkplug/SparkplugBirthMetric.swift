/// A metric an edge node defined in a BIRTH: the name, alias and datatype its DATA messages are
/// read with.
struct SparkplugBirthMetric: Equatable {
    /// The device it belongs to, an index into `SparkplugNode.devices` (0: the edge node itself).
    var device: Int32
    var name: String
    var alias: UInt64?
    /// The Sparkplug datatype number (section 6.4.16).
    var datatype: UInt32

    /// Metrics that steer the session rather than measure anything: `bdSeq` and the `Node
    /// Control/…` and `Device Control/…` commands an edge node declares in its births. They are
    /// never readings.
    var isControl: Bool {
        var name = name
        return name.withUTF8 { Self.isControl(name: UnsafeRawBufferPointer($0)) }
    }

    /// Whether the name spelled by `bytes` is a control metric's. Allocation-free.
    static func isControl(name bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.elementsEqual("bdSeq".utf8) || bytes.starts(with: "Node Control/".utf8)
            || bytes.starts(with: "Device Control/".utf8)
    }
}
