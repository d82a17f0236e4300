/// The edge nodes the gateway has heard from, found by the bytes of their group and edge node
/// ids, so that a message of a known node is read without building a `String`.
struct SparkplugSessions {
    private(set) var nodes: [SparkplugNode] = []
    /// Group id, a 0 byte (no id holds one: ids are UTF-8 without U+0000), edge node id.
    private var index = ByteKeyTable()
    private var keyBytes: [UInt8] = []

    var count: Int { nodes.count }

    subscript(node: Int) -> SparkplugNode {
        _read { yield nodes[node] }
        _modify { yield &nodes[node] }
    }

    /// The node of `group` and `edgeNode`, or nil. Allocation-free once warm.
    mutating func node(group: UnsafeRawBufferPointer, edgeNode: UnsafeRawBufferPointer) -> Int? {
        makeKey(group, edgeNode)
        return keyBytes.withUnsafeBytes { index.value(for: $0) }.map(Int.init)
    }

    /// Adds a node not heard from before (not born yet).
    mutating func add(_ node: SparkplugNode) -> Int {
        var (group, edgeNode) = (node.group, node.edgeNode)
        group.withUTF8 { group in edgeNode.withUTF8 { makeKey(UnsafeRawBufferPointer(group), UnsafeRawBufferPointer($0)) } }
        keyBytes.withUnsafeBytes { index.insert($0, value: Int32(nodes.count)) }
        nodes.append(node)
        return nodes.count - 1
    }

    /// Forgets the nodes for which `isRetired` is true; returns how many. O(nodes), allocation-free
    /// when none is.
    mutating func removeAll(where isRetired: (SparkplugNode) -> Bool) -> Int {
        guard nodes.contains(where: isRetired) else { return 0 }
        let before = nodes.count
        var kept: [Int32?] = []
        var remaining: [SparkplugNode] = []
        for node in nodes {
            if isRetired(node) {
                kept.append(nil)
            } else {
                kept.append(Int32(remaining.count))
                remaining.append(node)
            }
        }
        nodes = remaining
        index = index.remapped { kept[Int($0)] }
        return before - remaining.count
    }

    private mutating func makeKey(_ group: UnsafeRawBufferPointer, _ edgeNode: UnsafeRawBufferPointer) {
        keyBytes.removeAll(keepingCapacity: true)
        keyBytes.append(contentsOf: group)
        keyBytes.append(0)
        keyBytes.append(contentsOf: edgeNode)
    }
}
