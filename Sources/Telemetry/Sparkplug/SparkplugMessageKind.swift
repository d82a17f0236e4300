/// The message type of a Sparkplug B topic (Sparkplug 3.0.0, section 4.1.2.3).
enum SparkplugMessageKind: String, CaseIterable {
    case nodeBirth = "NBIRTH"
    case nodeDeath = "NDEATH"
    case deviceBirth = "DBIRTH"
    case deviceDeath = "DDEATH"
    case nodeData = "NDATA"
    case deviceData = "DDATA"
    case nodeCommand = "NCMD"
    case deviceCommand = "DCMD"
    /// A host application's birth and death (`spBv1.0/STATE/{host_id}`, JSON).
    case state = "STATE"

    /// Whether the topic names a device after the edge node.
    var namesDevice: Bool {
        switch self {
        case .deviceBirth, .deviceDeath, .deviceData, .deviceCommand: true
        case .nodeBirth, .nodeDeath, .nodeData, .nodeCommand, .state: false
        }
    }

    /// The kind spelled by `bytes`, or nil. Allocation-free.
    init?(bytes: UnsafeRawBufferPointer) {
        guard let index = Self.spellings.firstIndex(where: { $0.elementsEqual(bytes) }) else { return nil }
        self = Self.allCases[index]
    }

    /// Each case's bytes, in `allCases` order, compared as bytes rather than through `String`.
    private static let spellings = allCases.map { Array($0.rawValue.utf8) }
}
