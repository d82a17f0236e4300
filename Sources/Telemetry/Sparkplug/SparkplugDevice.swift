/// A device of an edge node (or the edge node itself, whose own metrics have its id as their
/// device) as the host sees it: online from its BIRTH until its DEATH, with the names its
/// BIRTH defined.
struct SparkplugDevice {
    var id: String
    var isBorn: Bool
    /// Metric names of its BIRTH, by their bytes: indices into `SparkplugNode.metrics`.
    var names = ByteKeyTable()
}
