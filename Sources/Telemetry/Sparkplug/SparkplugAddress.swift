/// What a topic of the Sparkplug B namespace names: `spBv1.0/{group}/{type}/{edge}[/{device}]`,
/// or `spBv1.0/STATE/{host}`. The ids stay byte ranges of the topic, so reading an address
/// allocates nothing.
struct SparkplugAddress {
    var kind: SparkplugMessageKind
    var group: Range<Int>
    var edgeNode: Range<Int>
    /// The device of DBIRTH, DDEATH, DDATA and DCMD; nil for the edge node's own messages.
    var device: Range<Int>?

    /// How a topic relates to the namespace.
    enum Reading {
        /// Not under `spBv1.0/`: another subscription's topic.
        case outside
        case address(SparkplugAddress)
        /// Under `spBv1.0/` but not a Sparkplug B topic; the detail says why.
        case invalid(String)
    }

    /// The first level of every Sparkplug B 3.0 topic.
    static let namespace = "spBv1.0"
    private static let namespaceBytes = Array(namespace.utf8)

    /// Reads `topic`. O(topic bytes).
    static func read(_ topic: UnsafeRawBufferPointer) -> Reading {
        let prefix = namespaceBytes.count
        guard topic.count > prefix, topic[prefix] == UInt8(ascii: "/"),
            namespaceBytes.elementsEqual(UnsafeRawBufferPointer(rebasing: topic[0..<prefix]))
        else { return .outside }
        // At most five levels matter (one more proves the topic too long); kept on the stack.
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: 5) { levels in
            var count = 0
            var start = prefix + 1
            for index in start..<topic.count where topic[index] == UInt8(ascii: "/") {
                levels[count] = start..<index
                count += 1
                start = index + 1
                if count == 4 { break }
            }
            levels[count] = start..<topic.count
            return read(topic, levels: UnsafeBufferPointer(rebasing: levels[0...count]))
        }
    }

    /// Reads the levels after the namespace.
    private static func read(_ topic: UnsafeRawBufferPointer, levels: UnsafeBufferPointer<Range<Int>>) -> Reading {
        if levels.count == 2, UnsafeRawBufferPointer(rebasing: topic[levels[0]]).elementsEqual("STATE".utf8) {
            return .address(SparkplugAddress(kind: .state, group: levels[0], edgeNode: levels[1], device: nil))
        }
        guard levels.count >= 3, let kind = SparkplugMessageKind(bytes: UnsafeRawBufferPointer(rebasing: topic[levels[1]])),
            kind != .state
        else {
            return .invalid("not a Sparkplug B topic: expected \(namespace)/{group}/{message type}/{edge node}[/{device}]")
        }
        guard levels.count == (kind.namesDevice ? 4 : 3) else {
            let shape = kind.namesDevice ? "{edge node}/{device}" : "{edge node}"
            return .invalid("not a Sparkplug B topic: a \(kind.rawValue) topic is \(namespace)/{group}/\(kind.rawValue)/\(shape)")
        }
        if levels.contains(where: \.isEmpty) {
            return .invalid("a Sparkplug B topic with an empty group, edge node or device id")
        }
        return .address(
            SparkplugAddress(kind: kind, group: levels[0], edgeNode: levels[2], device: kind.namesDevice ? levels[3] : nil))
    }
}
