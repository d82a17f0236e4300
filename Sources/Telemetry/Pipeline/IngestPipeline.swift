/// The data path from one raw MQTT message to windows: topic mapping, decoding, limits,
/// duplicate detection, validation against the catalogue, and aggregation.
///
/// Every message ends up either aggregated or in the quarantine sink with a specific reason;
/// nothing is dropped silently. Message-level faults quarantine the whole message once;
/// reading-level faults quarantine that reading only. Used from one thread.
public final class IngestPipeline {
    public let settings: PipelineSettings
    public let catalogue: MetricCatalogue
    public internal(set) var stats = PipelineStats()
    /// Highest receive time of any message ingested so far (ms since the epoch).
    public internal(set) var latestReceivedMillis: Int64 = .min

    var aggregator: WindowAggregator
    private let decoder: PayloadDecoder
    private var decoded = DecodedPayload()
    var sequences: [SequenceWindow] = []
    private let sink: IngestSink
    /// Receive-time second of the last quarantine record, and excerpts written in it.
    private var excerptSecond: Int64 = .min
    private var excerptsThisSecond = 0

    public init(settings: PipelineSettings, catalogue: MetricCatalogue, sink: IngestSink) {
        self.settings = settings
        self.catalogue = catalogue
        self.sink = sink
        self.decoder = PayloadDecoder(maxReadings: settings.maxReadingsPerMessage)
        self.aggregator = WindowAggregator(
            tiers: settings.tiers, allowedLatenessMillis: settings.allowedLatenessMillis,
            stateHorizonMillis: settings.stateHorizonMillis)
    }

    /// Series seen since start.
    public var seriesCount: Int { aggregator.seriesCount }

    /// Windows held in memory, not yet written.
    public var openWindowCount: Int { aggregator.openWindowCount }

    /// Processes one message. O(payload bytes + readings × tiers).
    public func ingest(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64) {
        let receivedMillis = receivedAtNanos / 1_000_000
        stats.messages += 1
        latestReceivedMillis = max(latestReceivedMillis, receivedMillis)
        let message = MessageContext(topic: topic, payload: payload, receivedMillis: receivedMillis)

        guard topic.count <= settings.maxTopicBytes else {
            quarantine(message, .topicTooLong, "topic of \(topic.count) bytes exceeds the limit of \(settings.maxTopicBytes) bytes")
            return
        }
        guard let deviceKey = settings.topicPattern.match(topic) else {
            quarantine(message, .topicMismatch, "topic does not match the pattern \(settings.topicPattern)")
            return
        }
        guard payload.count <= settings.maxPayloadBytes else {
            quarantine(message, .payloadTooLarge,
                       "payload of \(payload.count) bytes exceeds the limit of \(settings.maxPayloadBytes) bytes",
                       device: deviceKey)
            return
        }
        do {
            try decoder.decode(payload, into: &decoded)
        } catch {
            quarantine(message, error.reason, error.detail, device: deviceKey)
            return
        }
        guard aggregator.existingDeviceIndex(for: deviceKey) != nil || aggregator.deviceCount < settings.maxSeries else {
            quarantine(message, .cardinalityLimit,
                       "new device beyond ingest.max_series (\(settings.maxSeries) devices and series in memory)",
                       device: deviceKey, seq: decoded.seq)
            return
        }
        let device = aggregator.deviceIndex(for: deviceKey)
        if let seq = decoded.seq, !acceptSequence(seq, device: device, key: deviceKey) {
            quarantine(message, .duplicateSeq, "seq \(seq) was already received from this device",
                       device: deviceKey, seq: seq)
            return
        }

        var maxEventMillis = Int64.min
        for reading in decoded.readings {
            let timestamp = reading.timestampMillis ?? receivedMillis
            switch validate(reading, timestamp: timestamp, device: device, receivedMillis: receivedMillis) {
            case .failure(let rejection):
                quarantine(message, rejection.reason, rejection.detail, device: deviceKey,
                           metric: reading.metric, seq: decoded.seq)
            case .success(let definition):
                guard aggregator.existingSeriesIndex(device: device, metric: definition.name) != nil
                        || aggregator.seriesCount < settings.maxSeries else {
                    quarantine(message, .cardinalityLimit,
                               "new series beyond ingest.max_series (\(settings.maxSeries) series in memory)",
                               device: deviceKey, metric: reading.metric, seq: decoded.seq)
                    continue
                }
                let series = aggregator.seriesIndex(device: device, definition: definition)
                switch reading.value {
                case .number(let value): aggregator.add(value, at: timestamp, series: series)
                case .string(let state): aggregator.add(state: state, at: timestamp, series: series)
                case .bool, .null, .composite: continue
                }
                stats.readingsAccepted += 1
                maxEventMillis = max(maxEventMillis, timestamp)
            }
        }
        if maxEventMillis != .min {
            aggregator.observe(device: device, maxEventMillis: maxEventMillis, receivedAtMillis: receivedMillis)
        }
    }

    /// Writes every window whose device's watermark has passed its end. `ingestClockMillis` is
    /// "now" for idle detection: the latest receive time while a backlog is being worked off,
    /// the wall clock once the ring is empty.
    public func closeWindows(ingestClockMillis: Int64) {
        aggregator.closeWindows(ingestClockMillis: ingestClockMillis) { window in
            stats.rollupsWritten += 1
            sink.write(window)
        }
    }

    /// Writes every open window as incomplete (shutdown).
    public func flushAll() {
        aggregator.flushAll { window in
            stats.rollupsWritten += 1
            sink.write(window)
        }
    }

    // MARK: Steps

    private func acceptSequence(_ seq: UInt64, device: Int, key: DeviceKey) -> Bool {
        while sequences.count <= device {
            sequences.append(SequenceWindow(capacity: settings.dedupWindow))
        }
        switch sequences[device].record(seq) {
        case .accepted(let missing):
            if missing > 0 {
                stats.seqMissing += Int64(clamping: missing)
                stats.seqMissingByDevice[key, default: 0] += Int64(clamping: missing)
            }
            return true
        case .filledGap:
            stats.seqMissing -= 1
            stats.seqMissingByDevice[key, default: 0] -= 1
            if stats.seqMissingByDevice[key] == 0 { stats.seqMissingByDevice[key] = nil }
            return true
        case .restarted:
            stats.seqRestarts += 1
            return true
        case .duplicate:
            return false
        }
    }

    private struct Rejection: Error {
        var reason: QuarantineReason
        var detail: String
    }

    /// Checks one reading against the catalogue and the device's time; returns its definition.
    private func validate(
        _ reading: DecodedReading, timestamp: Int64, device: Int, receivedMillis: Int64
    ) -> Result<MetricDefinition, Rejection> {
        let definition: MetricDefinition
        if let known = catalogue.definition(named: reading.metric) {
            definition = known
        } else if catalogue.strict {
            return .failure(Rejection(reason: .unknownMetric, detail: "metric \"\(reading.metric)\" is not in the catalogue"))
        } else {
            definition = MetricDefinition(name: reading.metric, kind: .gauge, unit: "")
        }
        switch (definition.kind, reading.value) {
        case (.gauge, .number(let value)), (.counter, .number(let value)):
            guard value.isFinite else {
                return .failure(Rejection(reason: .outOfRange, detail: "\(reading.metric) is not a finite number"))
            }
            if let range = definition.validRange, !range.contains(value) {
                return .failure(Rejection(
                    reason: .outOfRange,
                    detail: "\(reading.metric) = \(Self.format(value)) outside [\(Self.format(range.lowerBound)), \(Self.format(range.upperBound))]"))
            }
        case (.state, .string(let state)):
            if !definition.states.isEmpty, !definition.states.contains(state) {
                return .failure(Rejection(
                    reason: .outOfRange,
                    detail: "\(reading.metric) = \"\(state)\" is not one of \(definition.states.joined(separator: ", "))"))
            }
        case (.state, let value):
            return .failure(Rejection(reason: .wrongType, detail: "\(reading.metric): expected a state string, got \(value.typeName)"))
        case (_, let value):
            return .failure(Rejection(reason: .wrongType, detail: "\(reading.metric): expected a number, got \(value.typeName)"))
        }
        if timestamp > receivedMillis + settings.futureToleranceMillis {
            return .failure(Rejection(
                reason: .futureTimestamp,
                detail: "ts \(UTCTimestamp.string(millis: timestamp)) is \((timestamp - receivedMillis) / 1000) s after its receive time (limit \(settings.futureToleranceMillis / 1000) s)"))
        }
        if aggregator.isTooLate(device: device, timestampMillis: timestamp) {
            let watermark = aggregator.watermark(device: device) ?? timestamp
            return .failure(Rejection(
                reason: .tooLate,
                detail: "ts \(UTCTimestamp.string(millis: timestamp)) is before the device's watermark \(UTCTimestamp.string(millis: watermark)); its windows are already written"))
        }
        return .success(definition)
    }

    /// The message being processed, for quarantine records.
    private struct MessageContext {
        var topic: UnsafeRawBufferPointer
        var payload: UnsafeRawBufferPointer
        var receivedMillis: Int64
    }

    private func quarantine(
        _ message: MessageContext, _ reason: QuarantineReason, _ detail: String,
        device: DeviceKey? = nil, metric: String? = nil, seq: UInt64? = nil
    ) {
        stats.quarantined[reason, default: 0] += 1
        let second = message.receivedMillis / 1000
        if second != excerptSecond {
            excerptSecond = second
            excerptsThisSecond = 0
        }
        let withExcerpt = excerptsThisSecond < settings.excerptsPerSecond
        if withExcerpt { excerptsThisSecond += 1 }
        let excerpt = UnsafeRawBufferPointer(rebasing: message.payload.prefix(withExcerpt ? settings.payloadExcerptBytes : 0))
        var record = QuarantineRecord(
            receivedAtMillis: message.receivedMillis,
            topic: String(decoding: message.topic.prefix(settings.maxTopicBytes), as: UTF8.self),
            reason: reason, detail: detail,
            payloadExcerpt: String(decoding: excerpt, as: UTF8.self),
            payloadBytes: message.payload.count, device: device, metric: metric, seq: seq)
        record.payloadOmitted = !withExcerpt && !message.payload.isEmpty
        sink.write(record)
    }

    /// Whole numbers without a fraction ("150"), others in shortest round-trip form ("24.1").
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }
}
