// InfluxDB line protocol through the pipeline.
//
// A message of line protocol may hold points of many devices: each line names its own, by
// the tags its subscription configures, and by the topic's levels for those it does not. The
// message is decoded whole (`LineProtocolDecoder`); every line must name a park, site and device
// before anything is aggregated, so a message is taken whole or quarantined whole. Then each
// line goes through the same validation and aggregation as a JSON message's readings, and
// advances its own device's clock.
//
// A line's device is found by an alias, as a JSON topic's is: the bytes of its park, site and
// device, each with its length, behind a 0 byte (no MQTT topic holds one, so these never meet a
// topic alias). Only a device seen for the first time builds `String`s.

extension IngestPipeline {
    /// A line protocol topic's route: its subscription and the levels it names.
    struct LineTopic {
        var subscription: Int
        var levels: (park: String?, site: String?, device: String?)
    }

    /// The first line protocol subscription whose pattern `topic` fits, with the levels the
    /// topic names. A topic seen before is found by its bytes (no `String` built); at most
    /// `maxRememberedLineTopics` are remembered, so that topics made up by a client cost
    /// bounded memory (a topic beyond them is matched again at each message).
    func lineRoute(of topic: UnsafeRawBufferPointer) -> (Int, (park: String?, site: String?, device: String?))? {
        if let known = knownLineRoute(of: topic) { return known }
        for (index, subscription) in settings.lineSubscriptions.enumerated() {
            guard let levels = subscription.pattern.levels(of: topic) else { continue }
            if lineTopics.count < Self.maxRememberedLineTopics {
                lineTopicIndex.insert(topic, value: Int32(lineTopics.count))
                lineTopics.append(LineTopic(subscription: index, levels: levels))
            }
            return (index, levels)
        }
        return nil
    }

    /// The remembered route of a line protocol topic seen before, found by its bytes. Checked
    /// before the JSON pattern: a remembered topic did not fit it when it was first seen.
    func knownLineRoute(of topic: UnsafeRawBufferPointer) -> (Int, (park: String?, site: String?, device: String?))? {
        guard !lineTopics.isEmpty, let known = lineTopicIndex.value(for: topic) else { return nil }
        let route = lineTopics[Int(known)]
        return (route.subscription, route.levels)
    }

    /// Line protocol topics whose route is remembered: 65,536 (a few MiB at most).
    static let maxRememberedLineTopics = 65_536

    /// The quarantine detail of a topic no subscription takes.
    var topicMismatchDetail: String {
        guard !settings.lineSubscriptions.isEmpty else { return "topic does not match the pattern \(settings.topicPattern)" }
        let patterns = [settings.topicPattern] + settings.lineSubscriptions.map(\.pattern)
        return "topic does not match any subscription's pattern (\(patterns.map(\.description).joined(separator: ", ")))"
    }

    /// Processes one message of line protocol subscription `index`, whose topic named
    /// `topicLevels`.
    func ingestLines(
        _ message: MessageContext, subscription index: Int, topicLevels: (park: String?, site: String?, device: String?),
        packetID: UInt16
    ) {
        guard !refusedAsTooLarge(message) else { return }
        do {
            try lineDecoders[index].scan(message.payload, into: &lines)
        } catch {
            quarantine(message, error.reason, error.detail)
            return
        }
        for line in lines.lines where !names(line, topicLevels) {
            quarantine(message, .malformedPayload, unnamedLevelDetail(line, topicLevels, subscription: index))
            return
        }
        var redelivered = false
        switch recognise(topic: message.topic, payload: message.payload, packetID: packetID, allTimestamped: lines.allTimestamped)
        {
        case .new:
            break
        case .repeated(let messagesAgo):
            quarantine(
                message, .duplicatePayload,
                "the same topic and timestamped payload arrived \(messagesAgo) messages earlier: the same readings again")
            return
        case .redelivered:
            redelivered = true
        }
        let acceptedBefore = stats.readingsAccepted
        var rejections = RejectedReadings()
        lines.text.withUnsafeBytes { text in
            for line in lines.lines {
                guard let (device, key) = lineDevice(line, in: text, topicLevels: topicLevels, message: message) else { continue }
                let maxEventMillis = aggregate(
                    lines.readings, line.readings, in: text, device: device, deviceKey: key, message: message, seq: nil,
                    rejections: &rejections)
                if maxEventMillis != .min {
                    aggregator.observe(device: device, maxEventMillis: maxEventMillis, receivedAtMillis: message.receivedMillis)
                }
                // A summary per line, so that its readings count against their own device.
                if !rejections.summarised.isEmpty {
                    quarantineSummary(message, rejections.summarised, device: key, seq: nil)
                    rejections.summarised.removeAll(keepingCapacity: true)
                }
            }
        }
        if redelivered {
            stats.redeliveredMessages += 1
            stats.redeliveredReadings += stats.readingsAccepted - acceptedBefore
        }
    }

    /// Whether `line`'s tags and the topic name all three levels. O(1), allocation-free.
    private func names(_ line: ScannedLine, _ topicLevels: (park: String?, site: String?, device: String?)) -> Bool {
        (line.park != nil || topicLevels.park != nil) && (line.site != nil || topicLevels.site != nil)
            && (line.device != nil || topicLevels.device != nil)
    }

    /// The quarantine detail of a line that leaves a level unnamed.
    private func unnamedLevelDetail(
        _ line: ScannedLine, _ topicLevels: (park: String?, site: String?, device: String?), subscription index: Int
    ) -> String {
        let options = settings.lineSubscriptions[index].options
        let levels = [
            ("park", line.park == nil && topicLevels.park == nil, options.parkTag),
            ("site", line.site == nil && topicLevels.site == nil, options.siteTag),
            ("device", line.device == nil && topicLevels.device == nil, options.deviceTag),
        ]
        guard let (level, _, tag) = levels.first(where: { $0.1 }) else { return "line \(line.number) names its device" }
        return "line \(line.number): nothing names its \(level): "
            + (tag.map { "no tag \($0)" } ?? "no tag is configured for it") + " and the topic pattern has no {\(level)}"
    }

    /// The device `line` names, registering it on first sight; nil (its readings quarantined,
    /// one record) when a name is too long or a new device would exceed `maxSeries`.
    private func lineDevice(
        _ line: ScannedLine, in text: UnsafeRawBufferPointer, topicLevels: (park: String?, site: String?, device: String?),
        message: MessageContext
    ) -> (Int, DeviceKey)? {
        deviceAliasBytes.removeAll(keepingCapacity: true)
        deviceAliasBytes.append(0)
        appendAliasPart(line.park, topicLevels.park, in: text)
        appendAliasPart(line.site, topicLevels.site, in: text)
        appendAliasPart(line.device, topicLevels.device, in: text)
        let known = deviceAliasBytes.withUnsafeBytes { aggregator.alias($0) }
        if let alias = known { return (aggregator.device(ofAlias: alias), aggregator.key(ofAlias: alias)) }

        func name(_ token: StringToken?, _ level: String?) -> String {
            token.map { String(decoding: $0.bytes(in: text), as: UTF8.self) } ?? level ?? ""
        }
        let key = DeviceKey(
            park: name(line.park, topicLevels.park), site: name(line.site, topicLevels.site),
            device: name(line.device, topicLevels.device))
        let readings = line.readings.count
        let levels = [("park", key.park), ("site", key.site), ("device", key.device)]
        if let (level, value) = levels.first(where: { $0.1.utf8.count > settings.maxNameBytes }) {
            quarantine(
                message, .nameTooLong,
                "line \(line.number): \(level) name of \(value.utf8.count) bytes exceeds ingest.max_name_bytes "
                    + "(\(settings.maxNameBytes)); its \(readings) reading\(readings == 1 ? "" : "s") set aside")
            return nil
        }
        guard aggregator.existingDeviceIndex(for: key) != nil || aggregator.deviceCount < settings.maxSeries else {
            quarantine(
                message, .cardinalityLimit,
                "line \(line.number): new device beyond ingest.max_series (\(settings.maxSeries) devices and series in "
                    + "memory); its \(readings) reading\(readings == 1 ? "" : "s") set aside",
                device: key)
            return nil
        }
        let device = aggregator.deviceIndex(for: key)
        deviceAliasBytes.withUnsafeBytes { aggregator.addAlias($0, device: device, key: key) }
        return (device, key)
    }

    /// Appends one level's bytes to `deviceAliasBytes`, its length first: the tag value's when
    /// the line has one, else the topic's.
    private func appendAliasPart(_ token: StringToken?, _ level: String?, in text: UnsafeRawBufferPointer) {
        if let token {
            appendAliasPart(token.bytes(in: text))
        } else if var level {
            level.withUTF8 { appendAliasPart(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Appends `bytes` to `deviceAliasBytes`, its length first.
    private func appendAliasPart(_ bytes: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).littleEndian) { deviceAliasBytes.append(contentsOf: $0) }
        deviceAliasBytes.append(contentsOf: bytes)
    }
}
