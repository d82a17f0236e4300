// A Sparkplug B message's metrics as readings.
//
// Each metric is resolved to its birth definition (by name, else by alias), read by its
// datatype (`SparkplugReadingValue`), and becomes a `ScannedReading` whose name and string value
// are copied into `sparkplugText`, so that validation and aggregation read every reading, JSON,
// line protocol or Sparkplug, from one buffer in the same way. Control metrics (`bdSeq`,
// `Node Control/…`) are no readings, nor are a birth's null (or absent) values.
//
// A birth restates the current value of every metric, so after a rebirth most of its values
// were taken already from the DATA before it: a birth value at or before the newest reading
// already taken from its device is skipped (counted in `sparkplugRestatedValues`), and a newer
// one is a reading.

extension IngestPipeline {
    /// Validates and aggregates the readings of the scanned payload, a message of `device` of
    /// `node` (0: the node's own metrics).
    func takeReadings(_ message: MessageContext, node: Int, device: Int, isBirth: Bool, seq: UInt64) {
        guard sparkplugPayload.metrics.contains(where: { !isControl($0, message: message, node: node, isBirth: isBirth) })
        else { return }
        guard let (aggregatorDevice, key) = sparkplugDevice(message, node: node, device: device) else { return }
        sparkplugText.removeAll(keepingCapacity: true)
        sparkplugReadings.removeAll(keepingCapacity: true)
        let newest = isBirth ? aggregator.newestEventMillis(device: aggregatorDevice) : .min
        var rejections = RejectedReadings()
        var unknown = false
        let payloadMillis = sparkplugPayload.timestamp.map { Int64(clamping: $0) }
        for metric in sparkplugPayload.metrics {
            guard let index = definition(of: metric, message: message, node: node, device: device, isBirth: isBirth) else {
                unknown = true
                reject(
                    message, .sparkplugUnknownMetric, unknownMetricDetail(metric, message: message, node: node, device: device),
                    metric: metric.name.map { recordedName($0, in: message.payload) }, device: key, seq: seq,
                    rejections: &rejections)
                continue
            }
            // A birth defines a metric with no current value as null (section 6.4.6), or, from a
            // lax sender, with no value field: no reading.
            guard !sparkplug[node].metrics[index].isControl, !(isBirth && (metric.isNull || metric.value == .none)) else {
                continue
            }
            let timestamp = metric.timestamp.map { Int64(clamping: $0) } ?? payloadMillis
            if isBirth, let timestamp, timestamp <= newest {
                stats.sparkplugRestatedValues += 1
                continue
            }
            let value: ScannedValue
            switch SparkplugReadingValue(metric, datatype: metric.datatype ?? sparkplug[node].metrics[index].datatype) {
            case .number(let number): value = .number(number)
            case .boolean(let flag): value = .string(appendText(flag ? "true".utf8 : "false".utf8))
            case .string(let token): value = .string(appendText(token.bytes(in: message.payload)))
            case .null: value = .null
            case .unsupported(let why):
                let name = sparkplug[node].metrics[index].name
                reject(
                    message, .sparkplugUnsupportedType, "\(name): \(why)", metric: name, device: key, seq: seq,
                    rejections: &rejections)
                continue
            }
            let start = sparkplugText.count
            sparkplug[node].metrics[index].nameBytes.withUnsafeBufferPointer { sparkplugText.append(contentsOf: $0) }
            let name = StringToken(start: start, end: sparkplugText.count, hasEscapes: false)
            sparkplugReadings.append(ScannedReading(name: name, timestampMillis: timestamp, value: value))
        }
        let maxEventMillis = sparkplugText.withUnsafeBytes { text in
            aggregate(
                sparkplugReadings, sparkplugReadings.indices, in: text, device: aggregatorDevice, deviceKey: key,
                message: message, seq: seq, rejections: &rejections)
        }
        if !rejections.summarised.isEmpty {
            quarantineSummary(message, rejections.summarised, device: key, seq: seq)
        }
        if maxEventMillis != .min {
            aggregator.observe(device: aggregatorDevice, maxEventMillis: maxEventMillis, receivedAtMillis: message.receivedMillis)
        }
        if unknown { _ = rebirthNote(node: node, at: message.receivedMillis) }
    }

    /// Whether `metric` is a control metric (known ones only: an unknown one is quarantined).
    private func isControl(_ metric: ScannedSparkplugMetric, message: MessageContext, node: Int, isBirth: Bool) -> Bool {
        if let name = metric.name { return SparkplugBirthMetric.isControl(name: name.bytes(in: message.payload)) }
        guard !isBirth, let alias = metric.alias, let index = sparkplug[node].metricIndex(alias: alias) else { return false }
        return sparkplug[node].metrics[Int(index)].isControl
    }

    /// Where in the node's `metrics` is the birth definition `metric` is read with: its own
    /// (name and datatype) in a birth; in DATA, its device's metric of its name, else the node's
    /// metric of its alias if that is its device's. Nil when there is none.
    private func definition(
        of metric: ScannedSparkplugMetric, message: MessageContext, node: Int, device: Int, isBirth: Bool
    ) -> Int? {
        if let name = metric.name {
            return sparkplug[node].metricIndex(device: device, name: name.bytes(in: message.payload)).map(Int.init)
        }
        guard !isBirth, let alias = metric.alias, let index = sparkplug[node].metricIndex(alias: alias),
            sparkplug[node].metrics[Int(index)].device == Int32(device)
        else { return nil }
        return Int(index)
    }

    private func unknownMetricDetail(
        _ metric: ScannedSparkplugMetric, message: MessageContext, node: Int, device: Int
    )
        -> String
    {
        let owner = device == 0 ? "edge node \(sparkplug[node].edgeNode)" : "device \(sparkplug[node].devices[device].id)"
        if let name = metric.name {
            return "metric \(recordedName(name, in: message.payload)) is not defined by the birth of \(owner)"
        }
        if let alias = metric.alias { return "alias \(alias) is not defined by the birth of \(owner)" }
        return "a metric with neither name nor alias"
    }

    /// Quarantines one reading, or counts it for the message's summary beyond
    /// `readingRecordsPerMessage`.
    private func reject(
        _ message: MessageContext, _ reason: QuarantineReason, _ detail: String, metric: String?, device: DeviceKey,
        seq: UInt64, rejections: inout RejectedReadings
    ) {
        rejections.count += 1
        guard rejections.count <= settings.readingRecordsPerMessage else {
            rejections.summarised[reason, default: 0] += 1
            return
        }
        quarantine(message, reason, detail, device: device, metric: metric, seq: seq)
    }

    /// Appends `bytes` to `sparkplugText`, returning their token there.
    private func appendText<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> StringToken {
        let start = sparkplugText.count
        sparkplugText.append(contentsOf: bytes)
        return StringToken(start: start, end: sparkplugText.count, hasEscapes: false)
    }

    /// The aggregator's device for `device` of `node`, registered on first sight under an alias
    /// of its ids' bytes (as a line protocol device's, so the two name one device alike); nil
    /// (the message quarantined) when a new device would exceed `maxSeries`.
    private func sparkplugDevice(_ message: MessageContext, node: Int, device: Int) -> (Int, DeviceKey)? {
        let known = sparkplug[node].devices[device].aggregatorAlias.withUnsafeBytes { aggregator.alias($0) }
        if let alias = known {
            return (aggregator.device(ofAlias: alias), aggregator.key(ofAlias: alias))
        }
        let session = sparkplug[node]
        let key = DeviceKey(park: session.group, site: session.edgeNode, device: session.devices[device].id)
        guard aggregator.existingDeviceIndex(for: key) != nil || aggregator.deviceCount < settings.maxSeries else {
            quarantine(
                message, .cardinalityLimit,
                "new device beyond ingest.max_series (\(settings.maxSeries) devices and series in memory)", device: key)
            return nil
        }
        let index = aggregator.deviceIndex(for: key)
        session.devices[device].aggregatorAlias.withUnsafeBytes { aggregator.addAlias($0, device: index, key: key) }
        return (index, key)
    }
}
