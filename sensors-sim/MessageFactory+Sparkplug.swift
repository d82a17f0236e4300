// `--format sparkplug`: the messages besides the data (births, deaths) and the Sparkplug side of
// the data messages (seq, DDATA by alias, malformed protobuf, which repeats the gateway can still
// recognise).
//
// Births are due lazily: before a device's data message, its edge node's NBIRTH if that is not in
// force, then the device's DBIRTH if that is not. A rebirth request takes an edge node's NBIRTH
// and its devices' DBIRTHs out of force, so they are published again before the node's next data,
// each DBIRTH before its device's next DDATA. Births carry no values (`is_null`), so the ledger's
// readings stay those of the data messages.

import SparkplugB

extension MessageFactory {
    /// The births due before the next data message (from device `produced % devices.count`), in
    /// publish order: its edge node's NBIRTH and its DBIRTH, whichever are not in force. Empty
    /// for the other formats, and once both are.
    mutating func sparkplugBirths(atMilliseconds now: Int64) -> [SimMessage] {
        guard var edge = sparkplug else { return [] }
        let position = produced % devices.count
        let node = edge.nodeOfDevice[position]
        var births: [SimMessage] = []
        if !edge.nodes[node].isBorn {
            let seq = edge.takeSeq(node: node)
            let info = edge.nodes[node]
            births.append(
                control(
                    .nodeBirth, node: info, index: node, device: info.devices.first ?? position, topic: info.birthTopic,
                    seq: seq, payload: SparkplugPayloads.nodeBirth(seq: seq, bdSeq: info.bdSeq, now: now)))
            edge.setBorn(node: node, true)
        }
        if !edge.deviceBorn[position] {
            let seq = edge.takeSeq(node: node)
            let info = edge.nodes[node]
            births.append(
                control(
                    .deviceBirth, node: info, index: node, device: position,
                    topic: info.deviceTopic("DBIRTH", device: devices[position].name), seq: seq,
                    payload: SparkplugPayloads.deviceBirth(
                        seq: seq, metrics: devices[position].kind.metrics, firstAlias: edge.firstAlias[position], now: now)))
            edge.setBorn(device: position, true)
        }
        sparkplug = edge
        return births
    }

    /// Answers a command received on `topic`: when it is the NCMD topic of one of the run's edge
    /// nodes and `payload` asks for a rebirth (`Node Control/Rebirth` = true), that node's NBIRTH
    /// and DBIRTHs are due again (`sparkplugBirths`), with the same `bdSeq` and the next `seq`s.
    /// Returns whether it was such a request.
    mutating func answerCommand(topic: String, payload: [UInt8]) -> Bool {
        guard var edge = sparkplug, let node = edge.node(ofCommandTopic: topic), SparkplugPayloads.isRebirthRequest(payload)
        else { return false }
        edge.setBorn(node: node, false)
        // The gateway starts the node's sequence again at the new NBIRTH: a repeat of an earlier
        // DDATA would be out of its order, not a duplicate.
        forgetPreviousClean(of: edge.nodes[node].devices)
        sparkplug = edge
        return true
    }

    /// The deaths that end the run, in publish order: for each edge node whose NBIRTH is in force,
    /// a DDEATH for each of its devices whose DBIRTH is, then its NDEATH with its `bdSeq`. Nothing
    /// is in force afterwards.
    mutating func sparkplugDeaths(atMilliseconds now: Int64) -> [SimMessage] {
        guard var edge = sparkplug else { return [] }
        var deaths: [SimMessage] = []
        for node in edge.nodes.indices where edge.nodes[node].isBorn {
            for position in edge.nodes[node].devices where edge.deviceBorn[position] {
                let seq = edge.takeSeq(node: node)
                let info = edge.nodes[node]
                deaths.append(
                    control(
                        .deviceDeath, node: info, index: node, device: position,
                        topic: info.deviceTopic("DDEATH", device: devices[position].name), seq: seq,
                        payload: SparkplugPayloads.deviceDeath(seq: seq, now: now)))
            }
            let info = edge.nodes[node]
            deaths.append(
                control(
                    .nodeDeath, node: info, index: node, device: info.devices.first ?? 0, topic: info.deathTopic, seq: nil,
                    payload: SparkplugPayloads.nodeDeath(bdSeq: info.bdSeq, now: now)))
            edge.setBorn(node: node, false)
        }
        sparkplug = edge
        return deaths
    }

    /// The DDATA payload of `readings` of the device at `deviceIndex`, with its edge node's next
    /// `seq`, and what the ledger says of it.
    mutating func sparkplugData(
        _ readings: [SimMessage.Reading], deviceIndex: Int, now: Int64
    ) -> ([UInt8], SimMessage.Sparkplug?) {
        guard var edge = sparkplug else { return ([], nil) }
        let node = edge.nodeOfDevice[deviceIndex]
        let seq = edge.takeSeq(node: node)
        sparkplug = edge
        let payload = SparkplugPayloads.deviceData(
            seq: seq, readings: readings, metrics: devices[deviceIndex].kind.metrics, firstAlias: edge.firstAlias[deviceIndex],
            now: now)
        return (payload, SimMessage.Sparkplug(type: .deviceData, edgeNode: node, seq: seq))
    }

    /// Whether `copy`, the device's previous clean message, can be sent again as a duplicate the
    /// gateway recognises. Always for JSON and line protocol. For Sparkplug B, while its `seq` is
    /// among the latest 128 of its edge node (the gateway remembers no more; an older seq would be
    /// out of order, or a gap once the counter has wrapped).
    func isRepeatable(_ copy: SimulatedDevice.PublishedCopy, deviceIndex: Int) -> Bool {
        guard let sparkplug else { return true }
        return sparkplug.node(ofDevice: deviceIndex).sequenced - copy.nodePosition < 128
    }

    /// One of the malformed Sparkplug B payloads (`MalformedSparkplug`). The truncated one is cut
    /// from a DDATA of every metric sampled on a copy of the device, so its model does not advance.
    mutating func malformedSparkplug(deviceIndex: Int, now: Int64) -> [UInt8] {
        let kind = MalformedSparkplug.allCases[random.below(MalformedSparkplug.allCases.count)]
        var wellFormed: [UInt8] = []
        var lastMetricBytes = 0
        if kind == .truncated, let sparkplug {
            var copy = devices[deviceIndex]
            let values = copy.sample(atMilliseconds: now)
            let metrics = copy.kind.metrics
            let readings = zip(metrics, values).map {
                SimMessage.Reading(metric: $0.name, kind: $0.kind, ts: now, value: $1, fault: nil)
            }
            let firstAlias = sparkplug.firstAlias[deviceIndex]
            func encode(_ readings: [SimMessage.Reading]) -> [UInt8] {
                SparkplugPayloads.deviceData(seq: nil, readings: readings, metrics: metrics, firstAlias: firstAlias, now: now)
            }
            wellFormed = encode(readings)
            lastMetricBytes = wellFormed.count - encode(Array(readings.dropLast())).count
        }
        return kind.bytes(wellFormed: wellFormed, lastMetricBytes: lastMetricBytes, random: &random)
    }

    /// A birth or death of edge node `node` (number `index`), on behalf of the device at `device`.
    private mutating func control(
        _ type: SparkplugMessageType, node: SparkplugEdgeNode, index: Int, device: Int, topic: String, seq: UInt64?,
        payload: [UInt8]
    ) -> SimMessage {
        let nodeLevel = type == .nodeBirth || type == .nodeDeath
        let message = SimMessage(
            index: created, deviceIndex: device, topic: topic, park: node.group, site: node.id,
            device: nodeLevel ? node.id : devices[device].name, seq: nil, shape: nil, fault: nil, payload: payload,
            readings: [],
            sparkplug: SimMessage.Sparkplug(
                type: type, edgeNode: index, seq: seq, bdSeq: nodeLevel ? node.bdSeq : nil))
        created += 1
        return message
    }
}
