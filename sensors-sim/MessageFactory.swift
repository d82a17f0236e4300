/// Produces the stream of messages the simulator publishes: devices in round-robin order, a
/// payload shape and at most one fault per message, everything drawn from the seed.
///
/// Pure: no clock, no I/O. Given the same fleet, options, plan, seed and sequence of timestamps,
/// it produces the same messages byte for byte. Data message `n` comes from device `n % devices`.
/// With `--format sparkplug` it also writes the births and deaths of the edge nodes and devices
/// (`MessageFactory+Sparkplug.swift`), and their `seq`.
struct MessageFactory: Sendable {
    /// Names used for `unknown_metric` readings; none is in the catalogue.
    static let unknownMetricNames = ["flux_capacitor_x", "warp_core_temp_k", "dilithium_ppm", "tachyon_flux"]

    /// The devices, with their model and publishing state.
    private(set) var devices: [SimulatedDevice]
    /// Shapes, seq and readings-per-message settings.
    let options: MessageOptions
    /// Data messages produced so far (births and deaths not counted): the next comes from device
    /// `produced % devices.count`.
    private(set) var produced = 0
    /// Messages of every kind produced so far; the index of the next one.
    var created = 0
    /// Edge nodes, aliases and births of `--format sparkplug`; `nil` for the other formats.
    var sparkplug: SparkplugEdge?
    private var plan: FaultPlan
    /// The generator of shapes, fault placement and fault details (not of the devices' values).
    var random: SeededGenerator

    /// Creates a factory over `fleet`'s devices; `seed` drives shapes and fault placement.
    init(fleet: Fleet, options: MessageOptions, plan: FaultPlan, seed: UInt64) {
        precondition(!fleet.devices.isEmpty, "a fleet needs at least one device")
        precondition(!options.shapes.isEmpty, "at least one payload shape is needed")
        devices = fleet.devices
        self.options = options
        self.plan = plan
        random = SeededGenerator(seed: seed, stream: UInt64.max)
        if options.format == .sparkplug {
            sparkplug = SparkplugEdge(devices: fleet.devices, suffix: options.edgeNodeSuffix)
        }
    }

    /// The next message, stamped `now` (milliseconds since the Unix epoch). Advances the
    /// publishing device's model unless the message is malformed or a duplicate.
    mutating func next(atMilliseconds now: Int64) -> SimMessage {
        let deviceIndex = produced % devices.count
        produced += 1
        let drawn = plan.draw(using: &random)
        var shape = options.shapes[random.below(options.shapes.count)]
        let device = devices[deviceIndex]
        var message = SimMessage(
            index: created, deviceIndex: deviceIndex, topic: options.format == .line ? device.lineTopic : device.topic,
            park: device.park,
            site: device.site, device: device.name, seq: nil, shape: shape, fault: nil, payload: [], readings: []
        )
        created += 1
        if let sparkplug {
            message.topic = sparkplug.dataTopics[deviceIndex]
            message.site = sparkplug.node(ofDevice: deviceIndex).id
            message.sparkplug = SimMessage.Sparkplug(type: .deviceData, edgeNode: sparkplug.nodeOfDevice[deviceIndex])
        }
        var fault = drawn
        switch drawn {
        case .malformedPayload:
            plan.settle(.malformedPayload, applied: true)
            message.shape = nil
            message.fault = .malformedPayload
            message.payload =
                sparkplug == nil
                ? malformedPayload(device: device, shape: shape, now: now)
                : malformedSparkplug(deviceIndex: deviceIndex, now: now)
            devices[deviceIndex].previousClean = nil
            return message
        case .duplicateSeq, .duplicatePayload:
            // With seq the gateway knows a repeat by its seq; without, only a timestamped payload
            // can be told apart from a new reading, by its bytes.
            let duplicate: Fault = options.repeatsCarrySeq ? .duplicateSeq : .duplicatePayload
            if drawn == duplicate, let copy = device.previousClean, options.repeatsCarrySeq || copy.shape.isTimestamped,
                isRepeatable(copy, deviceIndex: deviceIndex)
            {
                plan.settle(duplicate, applied: true)
                message.seq = copy.seq
                message.sparkplug?.seq = copy.sparkplugSeq
                message.shape = copy.shape
                message.fault = duplicate
                message.payload = copy.payload
                return message
            }
            fault = nil
        case .tooLate, .futureTimestamp:
            if drawn == .tooLate && !device.hasPublishedClean {
                fault = nil
            } else if !shape.isTimestamped {
                let timestamped = options.shapes.filter(\.isTimestamped)
                if timestamped.isEmpty {
                    fault = nil
                } else {
                    shape = timestamped[random.below(timestamped.count)]
                    message.shape = shape
                }
            }
        default:
            break
        }
        if sparkplug != nil && shape == .plain {
            // Sparkplug B stamps every metric, so a plain message goes out as the ts shape.
            shape = .ts
            message.shape = shape
        }
        let applied = fillReadings(of: &message, shape: shape, fault: fault, now: now)
        if let drawn { plan.settle(drawn, applied: applied != nil) }
        message.fault = applied
        if applied == nil {
            devices[deviceIndex].hasPublishedClean = true
            devices[deviceIndex].previousClean = .init(
                payload: message.payload, seq: message.seq, shape: shape, sparkplugSeq: message.sparkplug?.seq,
                nodePosition: sparkplug?.node(ofDevice: deviceIndex).sequenced ?? 0)
        } else {
            devices[deviceIndex].previousClean = nil
        }
        return message
    }

    /// Forgets the previous clean message of the devices at `positions` in the fleet, so that no
    /// duplicate repeats it.
    mutating func forgetPreviousClean(of positions: [Int]) {
        for position in positions { devices[position].previousClean = nil }
    }

    /// Samples the device, applies `fault` where it can, and writes readings, seq and payload.
    /// Returns the fault actually applied.
    private mutating func fillReadings(of message: inout SimMessage, shape: PayloadShape, fault: Fault?, now: Int64) -> Fault? {
        let deviceIndex = message.deviceIndex
        let metrics = devices[deviceIndex].kind.metrics
        let selection: [Int]
        var readings: [SimMessage.Reading]
        if shape == .batch {
            (selection, readings) = batchReadings(deviceIndex: deviceIndex, now: now)
        } else {
            let values = devices[deviceIndex].sample(atMilliseconds: now)
            let wanted = options.readingsPerMessage
            if wanted > 0 && wanted < metrics.count {
                let start = devices[deviceIndex].rotation
                selection = (0..<wanted).map { (start + $0) % metrics.count }
                devices[deviceIndex].rotation = (start + wanted) % metrics.count
            } else {
                selection = Array(metrics.indices)
            }
            readings = selection.map {
                SimMessage.Reading(metric: metrics[$0].name, kind: metrics[$0].kind, ts: nil, value: values[$0], fault: nil)
            }
        }
        var applied: Fault?
        switch fault {
        case .outOfRange:
            let numeric = readings.indices.filter { readings[$0].kind != .state }
            if !numeric.isEmpty {
                let position = numeric[random.below(numeric.count)]
                readings[position].value = .number(outOfRangeValue(for: metrics[selection[position]]))
                readings[position].fault = .outOfRange
                applied = .outOfRange
            }
        case .wrongType:
            let position = random.below(readings.count)
            readings[position].value = wrongTypeValue(replacing: readings[position].value)
            readings[position].fault = .wrongType
            applied = .wrongType
        case .unknownMetric:
            let name = Self.unknownMetricNames[random.below(Self.unknownMetricNames.count)]
            let value = ReadingValue.number((random.uniform(0, 100) * 100).rounded() / 100)
            let position = random.below(readings.count + 1)
            // In a batch it joins the sample next to it; other shapes stamp it when grouping.
            let neighbour = readings[position < readings.count ? position : position - 1].ts
            let reading = SimMessage.Reading(metric: name, kind: nil, ts: neighbour, value: value, fault: .unknownMetric)
            readings.insert(reading, at: position)
            applied = .unknownMetric
        case .tooLate, .futureTimestamp:
            if shape.isTimestamped, let fault {
                for position in readings.indices { readings[position].fault = fault }
                applied = fault
            }
        default:
            break
        }
        let shift =
            applied == .tooLate ? Fault.lateShiftMilliseconds : applied == .futureTimestamp ? Fault.futureShiftMilliseconds : 0
        let notBefore = shift == 0 ? devices[deviceIndex].lastStampMillis : nil
        let entries = group(&readings, shape: shape, lastTs: now + shift, shift: shift, notBefore: notBefore)
        if shift == 0, shape == .ts || shape == .array, let last = entries.last?.ts {
            devices[deviceIndex].lastStampMillis = max(devices[deviceIndex].lastStampMillis ?? last, last)
        }
        if options.seqEnabled {
            message.seq = devices[deviceIndex].nextSeq
            devices[deviceIndex].nextSeq += 1
        }
        switch options.format {
        case .json: message.payload = shape.encode(entries: entries, seq: message.seq)
        case .line: message.payload = LinePayload.encode(entries: entries, device: devices[deviceIndex].name)
        case .sparkplug: (message.payload, message.sparkplug) = sparkplugData(readings, deviceIndex: deviceIndex, now: now)
        }
        message.readings = readings
        return applied
    }

    /// The batch shape's readings: the next `readingsPerMessage` metrics (all of them for 0) of
    /// the device's rotating selection, one sample of the device per pass over its metrics.
    /// Samples are 1 ms apart, the last at `now` unless that would not be after the device's
    /// previous batch. Returns the metric index and the timestamped reading of each, in order.
    private mutating func batchReadings(deviceIndex: Int, now: Int64) -> (selection: [Int], readings: [SimMessage.Reading]) {
        let metrics = devices[deviceIndex].kind.metrics
        let wanted = options.readingsPerMessage > 0 ? options.readingsPerMessage : metrics.count
        let start = devices[deviceIndex].rotation
        let selection = (0..<wanted).map { (start + $0) % metrics.count }
        devices[deviceIndex].rotation = (start + wanted) % metrics.count
        var samples = 1
        for (previous, metric) in zip(selection, selection.dropFirst()) where metric <= previous { samples += 1 }
        var stamp = now - Int64(samples - 1)
        if let last = devices[deviceIndex].lastStampMillis { stamp = max(stamp, last + 1) }
        var readings: [SimMessage.Reading] = []
        readings.reserveCapacity(wanted)
        var values = devices[deviceIndex].sample(atMilliseconds: stamp)
        for (position, metric) in selection.enumerated() {
            if position > 0 && metric <= selection[position - 1] {
                stamp += 1
                values = devices[deviceIndex].sample(atMilliseconds: stamp)
            }
            readings.append(
                SimMessage.Reading(
                    metric: metrics[metric].name, kind: metrics[metric].kind, ts: stamp, value: values[metric], fault: nil))
        }
        devices[deviceIndex].lastStampMillis = stamp
        return (selection, readings)
    }

    /// Splits the readings into the shape's entries and stamps each reading with its entry's ts.
    /// Array shape: 2–3 entries (never more than readings), 1–5 ms apart, the last at `lastTs`;
    /// all moved later when the first would be before `notBefore` (the device's previous
    /// stamp). Ts shape: `lastTs`, or `notBefore` when later. Batch shape: the readings already
    /// carry their sample's ts; an entry per run of equal ts, every ts moved by `shift`.
    private mutating func group(
        _ readings: inout [SimMessage.Reading], shape: PayloadShape, lastTs: Int64, shift: Int64, notBefore: Int64?
    ) -> [PayloadShape.Entry] {
        switch shape {
        case .batch:
            var entries: [PayloadShape.Entry] = []
            for position in readings.indices {
                let stamp = readings[position].ts.map { $0 + shift } ?? lastTs
                readings[position].ts = stamp
                let pair = (name: readings[position].metric, value: readings[position].value)
                if let last = entries.indices.last, entries[last].ts == stamp {
                    entries[last].values.append(pair)
                } else {
                    entries.append(PayloadShape.Entry(ts: stamp, values: [pair]))
                }
            }
            return entries
        case .plain:
            return [PayloadShape.Entry(ts: nil, values: readings.map { ($0.metric, $0.value) })]
        case .ts:
            let stamp = max(lastTs, notBefore ?? lastTs)
            for position in readings.indices { readings[position].ts = stamp }
            return [PayloadShape.Entry(ts: stamp, values: readings.map { ($0.metric, $0.value) })]
        case .array:
            let entryCount = max(1, min(2 + random.below(2), readings.count))
            var stamps = [lastTs]
            for _ in 1..<entryCount { stamps.insert((stamps.first ?? lastTs) - Int64(1 + random.below(5)), at: 0) }
            if let notBefore, let first = stamps.first, first < notBefore {
                stamps = stamps.map { $0 + (notBefore - first) }
            }
            var entries: [PayloadShape.Entry] = []
            var start = 0
            for (position, stamp) in stamps.enumerated() {
                let size = readings.count / entryCount + (position < readings.count % entryCount ? 1 : 0)
                for reading in start..<(start + size) { readings[reading].ts = stamp }
                entries.append(
                    PayloadShape.Entry(ts: stamp, values: readings[start..<(start + size)].map { ($0.metric, $0.value) }))
                start += size
            }
            return entries
        }
    }

    /// A value outside the metric's range by at least 1 and up to one range width, on either side.
    private mutating func outOfRangeValue(for metric: Metric) -> Double {
        let range = metric.range ?? 0...0
        let magnitude = max(1, (range.upperBound - range.lowerBound) * random.uniform(0.05, 1))
        let value = random.chance(0.5) ? range.upperBound + magnitude : range.lowerBound - magnitude
        let scale = metric.kind == .counter ? 1000.0 : 100.0
        return (value * scale).rounded() / scale
    }

    /// A JSON value of the wrong type: a string or `true` instead of a number, a number instead
    /// of a state string.
    private mutating func wrongTypeValue(replacing value: ReadingValue) -> ReadingValue {
        switch value {
        case .number(let number):
            random.chance(0.5) ? .string(number.description) : .bool(true)
        case .string, .bool:
            .number(Double(random.below(DeviceKind.machineStates.count)))
        }
    }

    /// One of the malformed payload kinds; the device's model is sampled on a copy, so it does
    /// not advance.
    private mutating func malformedPayload(device: SimulatedDevice, shape: PayloadShape, now: Int64) -> [UInt8] {
        if options.format == .line {
            let kind = MalformedLine.allCases[random.below(MalformedLine.allCases.count)]
            return kind.bytes(device: device.name, metric: device.kind.metrics[random.below(device.kind.metrics.count)].name)
        }
        let kind = MalformedPayload.allCases[random.below(MalformedPayload.allCases.count)]
        var wellFormed: [UInt8] = []
        if kind == .truncated {
            var copy = device
            let values = copy.sample(atMilliseconds: now)
            let pairs = zip(copy.kind.metrics, values).map { (name: $0.name, value: $1) }
            wellFormed = shape.encode(entries: [PayloadShape.Entry(ts: shape.isTimestamped ? now : nil, values: pairs)], seq: nil)
        }
        return kind.bytes(wellFormed: wellFormed, random: &random)
    }
}
