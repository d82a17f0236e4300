// Sparkplug B through the pipeline: the gateway is a host application (Sparkplug 3.0.0).
//
// Each edge node has a session (`SparkplugNode`): its NBIRTH opens it with a `bdSeq` and a
// `seq`, defines the node's metrics and takes the devices offline until their DBIRTHs; NDATA,
// DBIRTH, DDATA and DDEATH follow one another in `seq`; an NDEATH with the NBIRTH's `bdSeq`
// closes it. What cannot be read safely is quarantined whole, with a `sparkplug_*` reason, and
// where a new birth would cure it (no birth in force, a gap in `seq`, an alias no birth
// defined) a rebirth is requested, at most once per `rebirthIntervalMillis` per node.
//
// A message's readings then go through the same validation and aggregation as JSON readings
// (`IngestPipeline+SparkplugReadings.swift`).

extension IngestPipeline {
    /// Takes the message when Sparkplug B is configured and its topic is in the `spBv1.0`
    /// namespace; false when the topic is another subscription's.
    func ingestSparkplugIfInNamespace(_ message: MessageContext) -> Bool {
        guard settings.sparkplug != nil else { return false }
        var message = message
        message.isBinary = true
        switch SparkplugAddress.read(message.topic) {
        case .outside:
            return false
        case .invalid(let detail):
            quarantine(message, .topicMismatch, detail)
        case .address(let address):
            ingestSparkplug(message, address)
        }
        return true
    }

    private func ingestSparkplug(_ message: MessageContext, _ address: SparkplugAddress) {
        switch address.kind {
        case .state, .nodeCommand, .deviceCommand:
            stats.sparkplugCommandsSkipped += 1
            return
        case .nodeBirth, .nodeDeath, .deviceBirth, .deviceDeath, .nodeData, .deviceData:
            break
        }
        guard !refusedAsTooLarge(message) else { return }
        do {
            try sparkplugScanner.scan(message.payload, into: &sparkplugPayload)
        } catch {
            quarantine(message, error.reason, error.detail)
            return
        }
        guard let node = sparkplugNode(message, address) else { return }
        sparkplug[node].lastMessageMillis = max(sparkplug[node].lastMessageMillis, message.receivedMillis)
        switch address.kind {
        case .nodeBirth:
            nodeBirth(message, node: node)
        case .nodeDeath:
            nodeDeath(message, node: node)
        default:
            sequenced(message, address, node: node)
        }
    }

    /// The session of the message's edge node, added on first sight; nil (the message
    /// quarantined) when an id is too long or a new node would exceed `maxSeries`.
    private func sparkplugNode(_ message: MessageContext, _ address: SparkplugAddress) -> Int? {
        let group = UnsafeRawBufferPointer(rebasing: message.topic[address.group])
        let edgeNode = UnsafeRawBufferPointer(rebasing: message.topic[address.edgeNode])
        if let node = sparkplug.node(group: group, edgeNode: edgeNode) { return node }
        for (level, bytes) in [("group", group), ("edge node", edgeNode)] where bytes.count > settings.maxNameBytes {
            quarantine(
                message, .nameTooLong,
                "Sparkplug B \(level) id of \(bytes.count) bytes exceeds ingest.max_name_bytes (\(settings.maxNameBytes))")
            return nil
        }
        guard sparkplug.count < settings.maxSeries else {
            quarantine(
                message, .cardinalityLimit,
                "new Sparkplug B edge node beyond ingest.max_series (\(settings.maxSeries) edge nodes in memory)")
            return nil
        }
        return sparkplug.add(
            SparkplugNode(
                group: String(decoding: group, as: UTF8.self), edgeNode: String(decoding: edgeNode, as: UTF8.self),
                receivedMillis: message.receivedMillis))
    }

    /// An NBIRTH: a new session with the node's own metrics; the births' values are readings.
    private func nodeBirth(_ message: MessageContext, node: Int) {
        let seq = sparkplugPayload.seq ?? 0
        guard seq <= 255 else {
            quarantine(message, .malformedPayload, "NBIRTH seq \(seq) is outside 0–255")
            return
        }
        guard let definitions = birthDefinitions(message, kind: .nodeBirth, node: node, device: 0) else { return }
        let bdSeq = sparkplugPayload.metrics.first { metric in
            metric.name.map { $0.bytes(in: message.payload).elementsEqual("bdSeq".utf8) } ?? false
        }
        var birthSequence: UInt64?
        switch bdSeq?.value {
        case .long(let value): birthSequence = value
        case .int(let value): birthSequence = UInt64(value)
        default: birthSequence = nil
        }
        sparkplug.bornAgain(node, birthSequence: birthSequence, seq: UInt8(seq))
        sparkplug.define(node, definitions, device: 0)
        takeReadings(message, node: node, device: 0, isBirth: true, seq: seq)
    }

    /// The metrics a BIRTH defines for `device` (0: the node's own), or nil (the message
    /// quarantined) when a metric has no name or datatype, or names or aliases collide.
    private func birthDefinitions(
        _ message: MessageContext, kind: SparkplugMessageKind, node: Int, device: Int
    ) -> [SparkplugBirthMetric]? {
        var definitions: [SparkplugBirthMetric] = []
        definitions.reserveCapacity(sparkplugPayload.metrics.count)
        for (index, metric) in sparkplugPayload.metrics.enumerated() {
            guard let token = metric.name else {
                quarantine(
                    message, .malformedPayload, "\(kind.rawValue) metric \(index + 1) has no name: a birth names every metric")
                return nil
            }
            guard token.end - token.start <= settings.maxNameBytes else {
                quarantine(
                    message, .nameTooLong,
                    "\(kind.rawValue) metric \(index + 1): name of \(token.end - token.start) bytes exceeds "
                        + "ingest.max_name_bytes (\(settings.maxNameBytes))")
                return nil
            }
            let name = String(decoding: token.bytes(in: message.payload), as: UTF8.self)
            guard let datatype = metric.datatype else {
                quarantine(message, .malformedPayload, "\(kind.rawValue) metric \(name) has no datatype")
                return nil
            }
            definitions.append(SparkplugBirthMetric(device: Int32(device), name: name, alias: metric.alias, datatype: datatype))
        }
        if let conflict = sparkplug[node].conflict(in: definitions, device: device, isNodeBirth: kind == .nodeBirth) {
            quarantine(message, .malformedPayload, "\(kind.rawValue): \(conflict)")
            return nil
        }
        // What the birth replaces: the node's every metric (NBIRTH) or this device's.
        let replaced = sparkplug[node].metrics.lazy.filter { kind == .nodeBirth || $0.device == Int32(device) }.count
        guard sparkplug.metricTotal - replaced + definitions.count <= settings.maxSeries else {
            quarantine(
                message, .cardinalityLimit,
                "\(kind.rawValue) of \(definitions.count) metrics beyond ingest.max_series (\(settings.maxSeries) metrics of "
                    + "Sparkplug B births in memory)")
            return nil
        }
        return definitions
    }

    /// An NDEATH: honoured (the node and its devices offline) only with the `bdSeq` of the
    /// node's NBIRTH; another is an earlier session's, quarantined and ignored.
    private func nodeDeath(_ message: MessageContext, node: Int) {
        var bdSeq: UInt64?
        for metric in sparkplugPayload.metrics
        where metric.name.map({ $0.bytes(in: message.payload).elementsEqual("bdSeq".utf8) }) ?? false {
            switch metric.value {
            case .long(let value): bdSeq = value
            case .int(let value): bdSeq = UInt64(value)
            default: break
            }
        }
        let session = sparkplug[node]
        guard session.isBorn, bdSeq == session.birthSequence else {
            let described = bdSeq.map { "bdSeq \($0)" } ?? "no bdSeq"
            let expected =
                session.isBorn
                ? "its NBIRTH had " + (session.birthSequence.map { "bdSeq \($0)" } ?? "no bdSeq")
                : "the edge node is not online"
            quarantine(
                message, .sparkplugStaleDeath,
                "NDEATH with \(described), but \(expected): an earlier session's death, ignored",
                device: nodeDeviceKey(node))
            return
        }
        sparkplug[node].die()
    }

    /// NDATA, DBIRTH, DDATA or DDEATH: in `seq` order of a born node.
    private func sequenced(_ message: MessageContext, _ address: SparkplugAddress, node: Int) {
        let kind = address.kind
        let seq = sparkplugPayload.seq ?? 0
        guard sparkplug[node].isBorn else {
            let session = sparkplug[node]
            quarantine(
                message, .sparkplugNotBorn,
                "\(kind.rawValue) from edge node \(session.group)/\(session.edgeNode), which has no NBIRTH in force"
                    + rebirthNote(node: node, at: message.receivedMillis),
                device: nodeDeviceKey(node), seq: seq)
            return
        }
        guard seq <= 255 else {
            quarantine(message, .malformedPayload, "\(kind.rawValue) seq \(seq) is outside 0–255", device: nodeDeviceKey(node))
            return
        }
        switch sparkplug[node].sequence.record(UInt8(seq)) {
        case .next:
            break
        case .duplicate:
            quarantine(
                message, .duplicateSeq,
                "seq \(seq) was already received from this edge node in its session"
                    + (sparkplug[node].birthSequence.map { " (bdSeq \($0))" } ?? ""),
                device: nodeDeviceKey(node), seq: seq)
            return
        case .gap(let expected, let missed):
            quarantine(
                message, .sparkplugSeqGap,
                "seq \(seq) where \(expected) was next: \(missed) message\(missed == 1 ? "" : "s") of this edge node lost"
                    + rebirthNote(node: node, at: message.receivedMillis),
                device: nodeDeviceKey(node), seq: seq)
            return
        case .outOfOrder(let latest):
            quarantine(
                message, .sparkplugOutOfOrder, "seq \(seq) arrived after seq \(latest), out of order",
                device: nodeDeviceKey(node), seq: seq)
            return
        }
        guard let deviceRange = address.device else {
            takeReadings(message, node: node, device: 0, isBirth: false, seq: seq)
            return
        }
        sequencedOfDevice(message, kind, UnsafeRawBufferPointer(rebasing: message.topic[deviceRange]), node: node, seq: seq)
    }

    /// DBIRTH, DDATA or DDEATH of the device whose id is `id`, once the node's `seq` took it.
    private func sequencedOfDevice(
        _ message: MessageContext, _ kind: SparkplugMessageKind, _ id: UnsafeRawBufferPointer, node: Int, seq: UInt64
    ) {
        let known = sparkplug[node].device(id: id)
        switch kind {
        case .deviceBirth:
            guard id.count <= settings.maxNameBytes else {
                quarantine(
                    message, .nameTooLong,
                    "Sparkplug B device id of \(id.count) bytes exceeds ingest.max_name_bytes (\(settings.maxNameBytes))")
                return
            }
            guard known != nil || sparkplug.deviceTotal < settings.maxSeries else {
                quarantine(
                    message, .cardinalityLimit,
                    "new Sparkplug B device beyond ingest.max_series (\(settings.maxSeries) devices of edge nodes in memory)")
                return
            }
            let device = known ?? sparkplug.addDevice(node, id: String(decoding: id, as: UTF8.self))
            guard let definitions = birthDefinitions(message, kind: kind, node: node, device: device) else { return }
            sparkplug.define(node, definitions, device: device)
            takeReadings(message, node: node, device: device, isBirth: true, seq: seq)
        case .deviceDeath:
            if let known { sparkplug[node].deviceDied(known) }
        default:
            guard let known, sparkplug[node].devices[known].isBorn else {
                let session = sparkplug[node]
                quarantine(
                    message, .sparkplugNotBorn,
                    "DDATA from device \(String(decoding: id, as: UTF8.self)) of edge node \(session.group)/\(session.edgeNode), "
                        + "which has no DBIRTH in force" + rebirthNote(node: node, at: message.receivedMillis),
                    device: DeviceKey(
                        park: session.group, site: session.edgeNode, device: String(decoding: id, as: UTF8.self)),
                    seq: seq)
                return
            }
            takeReadings(message, node: node, device: known, isBirth: false, seq: seq)
        }
    }

    /// Requests a rebirth of `node` unless one was requested less than `rebirthIntervalMillis`
    /// before `receivedMillis`; says which in a sentence for the quarantine detail.
    func rebirthNote(node: Int, at receivedMillis: Int64) -> String {
        guard let interval = settings.sparkplug?.rebirthIntervalMillis else { return "" }
        let last = sparkplug[node].lastRebirthRequestMillis
        guard last == .min || receivedMillis.subtractingSaturated(last) >= interval else {
            return "; a rebirth was requested less than \(interval) ms before"
        }
        sparkplug[node].lastRebirthRequestMillis = receivedMillis
        stats.sparkplugRebirthRequests += 1
        sparkplugCommands?.requestRebirth(group: sparkplug[node].group, edgeNode: sparkplug[node].edgeNode)
        return "; rebirth requested"
    }

    /// The device key of an edge node's own metrics.
    func nodeDeviceKey(_ node: Int) -> DeviceKey {
        DeviceKey(park: sparkplug[node].group, site: sparkplug[node].edgeNode, device: sparkplug[node].edgeNode)
    }
}
