// Hot-path design (see Benchmarks/PipelineBenchmarks): once every device and series has been
// seen, ingesting a message allocates nothing.
//
// * The topic is looked up by its bytes among the topics already mapped to a device
//   (`WindowAggregator.alias(_:)`); only a new topic goes through `TopicPattern.match`, which
//   builds the three `String`s of a `DeviceKey`.
// * The payload is scanned into a reused `ScannedPayload`: metric names and state values stay
//   positions in the payload. A name is resolved by its bytes to a catalogue index, which is
//   also the aggregator's metric id (the catalogue is registered first, in order); a state by
//   its bytes to an interned state id. Only names and states never seen, names with escapes and
//   rejected readings (their quarantine record) build `String`s. The `maxSeries` checks use
//   these ids too, and a name is registered only once its series is admitted.
// * Validation reads `MetricRule`s (plain data) instead of copying `MetricDefinition`s, and
//   reports a rejection as a reason and a detail built only then.
// * The mutable stored properties are `@exclusivity(unchecked)`: Swift otherwise checks every
//   access to a class's stored property at run time (`swift_beginAccess`, a thread-local access
//   set), several per reading, a measurable share of the one-reading-per-message benchmark.
//   What makes skipping the checks safe: the pipeline is used from one thread, and no access to
//   one of these properties starts while another access to the same property is in progress
//   (the sink, called while `aggregator` is being modified, is not given the pipeline).

/// The data path from one raw MQTT message to windows: topic mapping, decoding, limits,
/// duplicate detection, validation against the catalogue, and aggregation.
///
/// Every message ends up either aggregated or in the quarantine sink with a specific reason;
/// nothing is dropped silently. Message-level faults quarantine the whole message once;
/// reading-level faults quarantine that reading only. Used from one thread; a sink must not
/// call back into the pipeline from `write`.
public final class IngestPipeline {
    public let settings: PipelineSettings
    public let catalogue: MetricCatalogue
    @exclusivity(unchecked) public internal(set) var stats = PipelineStats()
    /// Highest receive time of any message ingested so far (ms since the epoch).
    @exclusivity(unchecked) public internal(set) var latestReceivedMillis: Int64 = .min

    @exclusivity(unchecked) var aggregator: WindowAggregator
    private let decoder: PayloadDecoder
    @exclusivity(unchecked) var scanned = ScannedPayload()
    /// One decoder per line protocol subscription, and the message they last scanned
    /// (`IngestPipeline+LineProtocol.swift`).
    let lineDecoders: [LineProtocolDecoder]
    @exclusivity(unchecked) var lines = ScannedLines()
    /// Scratch for the alias bytes of a line protocol device (`lineDevice`).
    @exclusivity(unchecked) var deviceAliasBytes: [UInt8] = []
    /// Line protocol topics seen, by their bytes: where `lineTopics` holds their route.
    @exclusivity(unchecked) var lineTopicIndex = ByteKeyTable()
    @exclusivity(unchecked) var lineTopics: [LineTopic] = []
    /// Sparkplug B: the payload reader, the message it last read, the edge nodes' sessions, and
    /// the text its readings' names and strings are copied into (`IngestPipeline+Sparkplug.swift`).
    let sparkplugScanner: SparkplugPayloadScanner
    @exclusivity(unchecked) var sparkplugPayload = ScannedSparkplugPayload()
    @exclusivity(unchecked) var sparkplug = SparkplugSessions()
    @exclusivity(unchecked) var sparkplugText: [UInt8] = []
    @exclusivity(unchecked) var sparkplugReadings: [ScannedReading] = []
    @exclusivity(unchecked) var sequences: [SequenceWindow] = []
    @exclusivity(unchecked) var redeliveries: RedeliveryWindow
    let sink: IngestSink
    /// Where rebirth requests go (`IngestPipeline+Sparkplug.swift`); nil sends none.
    let sparkplugCommands: (any SparkplugCommandSink)?
    /// Validation facts by catalogue index (= aggregator metric id).
    let rules: [MetricRule]
    /// The bit sets of allowed states that `rules` point into.
    let allowedStateWords: [UInt64]
    /// Aggregator metric ids of names outside the catalogue (non-strict), by the bytes they
    /// were first accepted in.
    @exclusivity(unchecked) var extraMetricIDs = ByteKeyTable()
    /// Receive-time second of the last quarantine record, and excerpts written in it.
    @exclusivity(unchecked) var excerptSecond: Int64 = .min
    @exclusivity(unchecked) var excerptsThisSecond = 0

    public init(
        settings: PipelineSettings, catalogue: MetricCatalogue, sink: IngestSink,
        sparkplugCommands: (any SparkplugCommandSink)? = nil
    ) {
        self.settings = settings
        self.catalogue = catalogue
        self.sink = sink
        self.sparkplugCommands = sparkplugCommands
        self.decoder = PayloadDecoder(maxReadings: settings.maxReadingsPerMessage)
        self.lineDecoders = settings.lineSubscriptions.map {
            LineProtocolDecoder(maxReadings: settings.maxReadingsPerMessage, options: $0.options)
        }
        self.sparkplugScanner = SparkplugPayloadScanner(maxMetrics: settings.maxReadingsPerMessage)
        self.redeliveries = RedeliveryWindow(capacity: settings.redeliveryWindow)
        var aggregator = WindowAggregator(
            tiers: settings.tiers, allowedLatenessMillis: settings.allowedLatenessMillis,
            stateHorizonMillis: settings.stateHorizonMillis, quantileAccuracy: settings.quantileAccuracy)
        var rules: [MetricRule] = []
        var words: [UInt64] = []
        for definition in catalogue.definitions {
            let id = aggregator.metricID(for: definition)
            precondition(Int(id) == rules.count, "catalogue names are unique, so their ids are their positions")
            var rule = MetricRule(kind: definition.kind)
            if let range = definition.validRange {
                (rule.hasRange, rule.lower, rule.upper) = (true, range.lowerBound, range.upperBound)
            }
            if definition.kind == .state && !definition.states.isEmpty {
                let ids = definition.states.map { state in
                    let spelling = aggregator.stateID(for: state)
                    return Int(aggregator.canonicalStateID(spelling))
                }
                rule.stateWordStart = words.count
                rule.stateWordCount = (ids.max() ?? 0) / 64 + 1
                words.append(contentsOf: repeatElement(0, count: rule.stateWordCount))
                for id in ids { words[rule.stateWordStart + id / 64] |= 1 << UInt64(id % 64) }
            }
            rules.append(rule)
        }
        self.aggregator = aggregator
        self.rules = rules
        self.allowedStateWords = words
    }

    /// Series in memory: seen since start and not retired.
    public var seriesCount: Int { aggregator.seriesCount }

    /// Devices in memory: seen since start and not retired.
    public var deviceCount: Int { aggregator.deviceCount }

    /// Windows held in memory, not yet written.
    public var openWindowCount: Int { aggregator.openWindowCount }

    /// How long windows waited, since this process started, between their device's watermark
    /// passing their end and being written (`closeWindows(nowMillis:)`).
    public var closeDelays: CloseDelayHistogram { aggregator.closeDelays }

    /// Processes one message. O(payload bytes + readings × tiers); allocates nothing once its
    /// device, metrics and states have been seen. `packetID` is the MQTT packet identifier it
    /// was delivered with (0 for QoS 0), which tells a broker's redelivery of a message without
    /// `seq` or timestamps from a new one. A message delivered with the retain flag is skipped
    /// (counted in `retainedSkipped`) unless `settings.acceptRetained`. `payloadBytes` is the
    /// size of the whole payload when `payload` is only its beginning (cut to fit the ring).
    public func ingest(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, packetID: UInt16 = 0,
        retained: Bool = false, payloadBytes: Int? = nil
    ) {
        let receivedMillis = receivedAtNanos / 1_000_000
        stats.messages += 1
        latestReceivedMillis = max(latestReceivedMillis, receivedMillis)
        if retained && !settings.acceptRetained {
            stats.retainedSkipped += 1
            return
        }
        let message = MessageContext(
            topic: topic, payload: payload, payloadBytes: max(payloadBytes ?? 0, payload.count), receivedMillis: receivedMillis)

        guard topic.count <= settings.maxTopicBytes else {
            quarantine(
                message, .topicTooLong, "topic of \(topic.count) bytes exceeds the limit of \(settings.maxTopicBytes) bytes")
            return
        }
        let source: TopicDevice
        if let alias = aggregator.alias(topic) {
            source = .known(alias: alias)
        } else if let (index, levels) = knownLineRoute(of: topic) {
            // A line protocol topic seen before (it did not fit the JSON pattern then either).
            ingestLines(message, subscription: index, topicLevels: levels, packetID: packetID)
            return
        } else if ingestSparkplugIfInNamespace(message) {
            return
        } else if let key = settings.topicPattern.match(topic) {
            let levels = [("park", key.park), ("site", key.site), ("device", key.device)]
            if let (level, name) = levels.first(where: { $0.1.utf8.count > settings.maxNameBytes }) {
                quarantine(
                    message, .nameTooLong,
                    "\(level) name of \(name.utf8.count) bytes exceeds ingest.max_name_bytes (\(settings.maxNameBytes))")
                return
            }
            source = .new(key)
        } else if let (index, levels) = lineRoute(of: topic) {
            ingestLines(message, subscription: index, topicLevels: levels, packetID: packetID)
            return
        } else {
            quarantine(message, .topicMismatch, topicMismatchDetail)
            return
        }
        guard !refusedAsTooLarge(message, device: key(of: source)) else { return }
        do {
            try decoder.scan(payload, into: &scanned)
        } catch {
            quarantine(message, error.reason, error.detail, device: key(of: source))
            return
        }
        let seq = scanned.seq
        let device: Int
        let deviceKey: DeviceKey
        switch source {
        case .known(let alias):
            device = aggregator.device(ofAlias: alias)
            deviceKey = aggregator.key(ofAlias: alias)
        case .new(let key):
            guard aggregator.existingDeviceIndex(for: key) != nil || aggregator.deviceCount < settings.maxSeries else {
                quarantine(
                    message, .cardinalityLimit,
                    "new device beyond ingest.max_series (\(settings.maxSeries) devices and series in memory)",
                    device: key, seq: seq)
                return
            }
            device = aggregator.deviceIndex(for: key)
            deviceKey = key
            aggregator.addAlias(topic, device: device, key: key)
        }
        var redelivered = false
        if let seq {
            guard acceptSequence(seq, device: device, key: deviceKey) else {
                quarantine(
                    message, .duplicateSeq, "seq \(seq) was already received from this device", device: deviceKey, seq: seq)
                return
            }
        } else {
            let allTimestamped = scanned.readings.allSatisfy { $0.timestampMillis != nil }
            switch recognise(topic: topic, payload: payload, packetID: packetID, allTimestamped: allTimestamped) {
            case .new:
                break
            case .repeated(let messagesAgo):
                quarantine(
                    message, .duplicatePayload,
                    "the same topic and timestamped payload arrived \(messagesAgo) messages earlier: the same readings again",
                    device: deviceKey)
                return
            case .redelivered:
                redelivered = true
            }
        }

        let acceptedBefore = stats.readingsAccepted
        var rejections = RejectedReadings()
        let maxEventMillis = aggregate(
            scanned.readings, scanned.readings.indices, in: payload, device: device, deviceKey: deviceKey, message: message,
            seq: seq, rejections: &rejections)
        if !rejections.summarised.isEmpty {
            quarantineSummary(message, rejections.summarised, device: deviceKey, seq: seq)
        }
        if maxEventMillis != .min {
            aggregator.observe(device: device, maxEventMillis: maxEventMillis, receivedAtMillis: receivedMillis)
        }
        if redelivered {
            stats.redeliveredMessages += 1
            stats.redeliveredReadings += stats.readingsAccepted - acceptedBefore
        }
    }

    /// A message's rejected readings so far: those beyond `readingRecordsPerMessage` are
    /// counted one by one but written as one summary record, by reason.
    struct RejectedReadings {
        var count = 0
        var summarised: [QuarantineReason: Int] = [:]
    }

    /// Validates and aggregates `readings[range]` of `device`, whose names and strings are in
    /// `text` (the payload, or the unescaped text of line protocol); quarantines each rejected
    /// one. Returns the latest event time aggregated, `.min` for none.
    func aggregate(
        _ readings: [ScannedReading], _ range: Range<Int>, in text: UnsafeRawBufferPointer, device: Int,
        deviceKey: DeviceKey, message: MessageContext, seq: UInt64?, rejections: inout RejectedReadings
    ) -> Int64 {
        let receivedMillis = message.receivedMillis
        var maxEventMillis = Int64.min
        for index in range {
            let reading = readings[index]
            let timestamp = reading.timestampMillis ?? receivedMillis
            switch check(reading, in: text, timestamp: timestamp, device: device, receivedMillis: receivedMillis) {
            case .rejected(let rejection):
                rejections.count += 1
                guard rejections.count <= settings.readingRecordsPerMessage else {
                    rejections.summarised[rejection.reason, default: 0] += 1
                    continue
                }
                let (reason, detail) = describe(
                    rejection, reading, in: text, timestamp: timestamp, device: device, receivedMillis: receivedMillis)
                quarantine(message, reason, detail, device: deviceKey, metric: recordedName(reading.name, in: text), seq: seq)
            case .accepted(let metric, let value):
                guard let series = seriesIndex(device: device, metric: metric, reading: reading, in: text) else {
                    rejections.count += 1
                    guard rejections.count <= settings.readingRecordsPerMessage else {
                        rejections.summarised[.cardinalityLimit, default: 0] += 1
                        continue
                    }
                    quarantine(
                        message, .cardinalityLimit,
                        "new series beyond ingest.max_series (\(settings.maxSeries) series in memory)",
                        device: deviceKey, metric: recordedName(reading.name, in: text), seq: seq)
                    continue
                }
                switch value {
                case .number(let number):
                    aggregator.add(number, at: timestamp, series: series)
                case .state(let spelling?, _):
                    aggregator.add(state: spelling, at: timestamp, series: series)
                case .state(nil, let token):
                    let spelling = aggregator.stateID(for: JSONScanner(text).string(from: token))
                    aggregator.add(state: spelling, at: timestamp, series: series)
                }
                stats.readingsAccepted += 1
                maxEventMillis = max(maxEventMillis, timestamp)
            }
        }
        return maxEventMillis
    }

    /// Writes every window whose device's watermark has passed its end. `ingestClockMillis` is
    /// "now" for idle detection: the latest receive time while a backlog is being worked off,
    /// the wall clock once the ring is empty. A device silent since before `resumedAtMillis`
    /// (when receiving last resumed after a gap) counts as idle only from then. `nowMillis`, the
    /// wall clock, times each close in `closeDelays`.
    public func closeWindows(ingestClockMillis: Int64, resumedAtMillis: Int64 = .min, nowMillis: Int64 = .min) {
        aggregator.closeWindows(ingestClockMillis: ingestClockMillis, resumedAtMillis: resumedAtMillis, nowMillis: nowMillis) {
            window in
            stats.rollupsWritten += 1
            sink.write(window)
        }
    }

    /// Writes every open window as incomplete (a graceful stop at `stopMillis`, the ingest
    /// clock; states in force are credited up to it, see `WindowAggregator.flushAll`).
    public func flushAll(stopMillis: Int64 = .min) {
        aggregator.flushAll(stopMillis: stopMillis) { window in
            stats.rollupsWritten += 1
            sink.write(window)
        }
    }

    /// How a message's topic names its device.
    enum TopicDevice {
        /// A topic seen before: an alias of a registered device.
        case known(alias: Int)
        /// A topic seen for the first time; its device is registered once the payload decodes.
        case new(DeviceKey)
    }

    func key(of source: TopicDevice) -> DeviceKey {
        switch source {
        case .known(let alias): return aggregator.key(ofAlias: alias)
        case .new(let key): return key
        }
    }

    /// The series of an accepted reading of `metric` on `device`, registering the metric (one
    /// outside the catalogue, `nil`) and the series on first sight, or `nil` when a new series
    /// would exceed `maxSeries`. A new series of a metric outside the catalogue is named as this
    /// reading spells it.
    func seriesIndex(device: Int, metric: Int32?, reading: ScannedReading, in payload: UnsafeRawBufferPointer) -> Int? {
        if let metric, let series = aggregator.existingSeriesIndex(device: device, metric: metric) { return series }
        guard aggregator.seriesCount < settings.maxSeries else { return nil }
        guard let metric, Int(metric) < rules.count else {
            let definition = MetricDefinition(name: JSONScanner(payload).string(from: reading.name), kind: .gauge, unit: "")
            let id =
                metric ?? registerExtraMetric(definition, bytes: reading.name.hasEscapes ? nil : reading.name.bytes(in: payload))
            return aggregator.seriesIndex(device: device, metric: id) { definition }
        }
        return aggregator.seriesIndex(device: device, metric: metric)
    }

    /// Registers a metric outside the catalogue (non-strict) as a unit-less gauge, and the bytes
    /// it was spelled in (without escapes) for the next lookup.
    private func registerExtraMetric(_ definition: MetricDefinition, bytes: UnsafeRawBufferPointer?) -> Int32 {
        let id = aggregator.metricID(for: definition)
        if let bytes { extraMetricIDs.insert(bytes, value: id) }
        return id
    }

    /// Whole numbers without a fraction ("150"), others in shortest round-trip form ("24.1").
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }
}
