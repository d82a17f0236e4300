/// A metric an edge node defined in a BIRTH: the name, alias and datatype its DATA messages are
/// read with.
struct SparkplugBirthMetric: Equatable {
    /// The device it belongs to, an index into `SparkplugNode.devices` (0: the edge node itself).
    let device: Int32
    let name: String
    let alias: UInt64?
    /// The Sparkplug datatype number (section 6.4.16).
    let datatype: UInt32
    /// `name`'s UTF-8 bytes, copied into a reading's text as they are (no `String` on the way).
    let nameBytes: [UInt8]
    /// A metric that steers the session rather than measures anything: `bdSeq` and the `Node
    /// Control/…` and `Device Control/…` commands an edge node declares in its births. Never a
    /// reading.
    let isControl: Bool

    init(device: Int32, name: String, alias: UInt64?, datatype: UInt32) {
        self.device = device
        self.name = name
        self.alias = alias
        self.datatype = datatype
        nameBytes = Array(name.utf8)
        isControl = nameBytes.withUnsafeBytes(Self.isControl(name:))
    }

    /// Whether the name spelled by `bytes` is a control metric's. Allocation-free.
    static func isControl(name bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.elementsEqual("bdSeq".utf8) || bytes.starts(with: "Node Control/".utf8)
            || bytes.starts(with: "Device Control/".utf8)
    }
}
