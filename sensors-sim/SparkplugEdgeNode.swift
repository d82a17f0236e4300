/// One simulated Sparkplug B edge node: a site of a park (group = park, edge node id = site), the
/// devices of the run placed there, and its session: the `seq` counter shared by all its messages
/// and the `bdSeq` of its NBIRTH and NDEATH.
///
/// `seq` goes 0, 1, … 255, 0 over the node's NBIRTH, DBIRTH, DDATA and DDEATH messages (Sparkplug
/// 3.0.0 section 5.9); the NDEATH and malformed payloads carry none. `bdSeq` stays the same for
/// the whole run, through rebirths: the simulator keeps one MQTT session and no Will.
struct SparkplugEdgeNode: Sendable, Equatable {
    /// The group id: the park.
    let group: String
    /// The site the edge node stands for.
    let site: String
    /// The edge node id: the site followed by `--edge-node-suffix`.
    let id: String
    /// The `bdSeq` metric of its NBIRTH and NDEATH.
    let bdSeq: UInt64
    /// Positions in the fleet (`MessageFactory.devices`) of its devices, in fleet order.
    var devices: [Int] = []
    /// The `seq` of its next sequenced message.
    private(set) var nextSeq: UInt8 = 0
    /// How many sequenced messages it has sent in this run: with a message's count, it says how
    /// far back in the sequence that message lies (the gateway remembers the latest 128 seqs).
    private(set) var sequenced: UInt64 = 0
    /// Whether its NBIRTH is in force: published, and no rebirth requested since.
    var isBorn = false

    /// Creates the edge node of `site` in `group`, with the id `site + suffix`.
    init(group: String, site: String, suffix: String, bdSeq: UInt64) {
        self.group = group
        self.site = site
        id = site + suffix
        self.bdSeq = bdSeq
    }

    /// Topic of its NBIRTH: `spBv1.0/{group}/NBIRTH/{id}`.
    var birthTopic: String { topic("NBIRTH") }
    /// Topic of its NDEATH: `spBv1.0/{group}/NDEATH/{id}`.
    var deathTopic: String { topic("NDEATH") }
    /// Topic of the commands sent to it, a rebirth request among them: `spBv1.0/{group}/NCMD/{id}`.
    var commandTopic: String { topic("NCMD") }

    /// The topic of a device message: `spBv1.0/{group}/{type}/{id}/{device}`.
    func deviceTopic(_ type: String, device: String) -> String {
        "\(SparkplugEdge.namespace)/\(group)/\(type)/\(id)/\(device)"
    }

    /// Takes the `seq` of its next sequenced message: 0–255, wrapping.
    mutating func takeSeq() -> UInt64 {
        let seq = nextSeq
        nextSeq &+= 1
        sequenced += 1
        return UInt64(seq)
    }

    private func topic(_ type: String) -> String {
        "\(SparkplugEdge.namespace)/\(group)/\(type)/\(id)"
    }
}
