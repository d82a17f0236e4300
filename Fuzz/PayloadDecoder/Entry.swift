// libFuzzer target `PayloadDecoder`: every input is one MQTT payload.
//
// 1. Differential check of `PayloadDecoder` against Foundation's `JSONSerialization` with the
//    rules and documented exceptions of `FoundationJSONOracle`
//    (Tests/TelemetryTests/Decode/FoundationJSONOracle.swift, compiled in by scripts/fuzz).
// 2. The same bytes through `IngestPipeline.ingest` twice with the same packet id (the second
//    time one millisecond later, so a `seq` must come back as `duplicate_seq`, readings that all
//    carry `ts` as `duplicate_payload`, and readings stamped with receive time must be counted
//    again as a redelivery), with a sink that accounts for every
//    message: a rejected message is exactly one quarantine record with the decoder's reason and
//    no accepted reading; an accepted one has accepted readings + per-reading quarantine
//    records == decoded readings. On the first delivery each reading's fate must also be what
//    a reference written here from the documented rules gives from the decoded `String`s
//    (the pipeline itself validates from byte tokens, without building strings): unknown
//    metric, wrong type, not finite or out of range, state not allowed, future timestamp,
//    `cardinality_limit` beyond 4 series, else accepted, in document order. After `flushAll`,
//    every tier's rollups count exactly the accepted readings, and every rollup and quarantine
//    line is JSON that Foundation parses back to the same fields.
// 3. The same bytes as InfluxDB line protocol through a line subscription
//    (LineProtocolCheck.swift).
// 4. The same bytes as Sparkplug B, as each message type of one edge node (SparkplugCheck.swift).
// Any violation traps (fatalError), which libFuzzer reports as a crash with the input saved.

import Foundation
import Telemetry

/// Keeps what the pipeline writes so the target can account for every message.
final class AccountingSink: IngestSink {
    private(set) var rollups: [RollupWindow] = []
    private(set) var quarantined: [QuarantineRecord] = []

    /// Keeps the rollup.
    func write(_ rollup: RollupWindow) { rollups.append(rollup) }
    /// Keeps the quarantine record.
    func write(_ record: QuarantineRecord) { quarantined.append(record) }
}

/// The checks run on each input; see the file header.
enum PayloadDecoderTarget {
    /// The topic every payload arrives on, and the device it names.
    static let topic = Array("iiot/yen-my/f01/env-0003/telemetry".utf8)
    static let device = DeviceKey(park: "yen-my", site: "f01", device: "env-0003")
    /// 2025-11-21T08:00:00Z, the receive time of the first delivery.
    static let receivedMillis: Int64 = 1_763_712_000_000
    /// Small limits so that `payload_too_large`, `too_many_readings` and `cardinality_limit`
    /// are reachable.
    static let maxPayloadBytes = 2_048
    static let maxReadings = 64
    static let maxSeries = 4
    /// `PipelineSettings`' default `maxNameBytes`.
    static let maxNameBytes = PipelineSettings.defaultMaxNameBytes
    static let futureToleranceMillis: Int64 = 300_000

    /// The catalogue: gauges, counters and a state, with ranges.
    static let definitions = [
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "humidity_pct", kind: .gauge, unit: "%", validRange: 0...100),
        MetricDefinition(name: "power_kw", kind: .gauge, unit: "kW", validRange: 0...5_000),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts", validRange: 0...1e12),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
    ]

    /// Default pipeline settings with the small limits above.
    static func settings() -> PipelineSettings {
        do {
            return PipelineSettings(
                topicPattern: try TopicPattern(TopicPattern.defaultPattern), maxPayloadBytes: maxPayloadBytes,
                maxReadingsPerMessage: maxReadings, futureToleranceMillis: futureToleranceMillis, maxSeries: maxSeries,
                readingRecordsPerMessage: maxReadings)
        } catch {
            fatalError("the default topic pattern is invalid: \(error)")
        }
    }

    /// The checks of the file header on one input.
    static func run(_ input: [UInt8]) {
        let verdict = FoundationJSONOracle.check(input)
        if let disagreement = verdict.disagreement {
            fatalError("PayloadDecoder vs Foundation: \(disagreement)")
        }
        checkPipeline(input)
        checkLineProtocol(input)
        checkSparkplug(input)
    }

    /// The reference fate of each reading of a first delivery to a fresh pipeline, in order:
    /// `nil` for accepted, else the quarantine reason. Names compare by their bytes. A repeat
    /// is taken from the decoder (it alone knows which readings share an object).
    static func referenceFates(_ payload: DecodedPayload, catalogue: MetricCatalogue) -> [QuarantineReason?] {
        var series: Set<Name> = []
        return payload.readings.map { reading in
            if reading.isRepeat { return .duplicateMetric }
            if reading.metric.utf8.count > maxNameBytes { return .nameTooLong }
            let definition: MetricDefinition
            if let known = catalogue.definition(named: reading.metric) {
                definition = known
            } else if catalogue.strict {
                return .unknownMetric
            } else {
                definition = MetricDefinition(name: reading.metric, kind: .gauge, unit: "")
            }
            switch (definition.kind, reading.value) {
            case (.gauge, .number(let value)), (.counter, .number(let value)):
                if !(abs(value) <= 1e100) { return .outOfRange }
                if let range = definition.validRange, !range.contains(value) { return .outOfRange }
            case (.state, .string(let state)):
                if state.utf8.count > maxNameBytes { return .nameTooLong }
                if !definition.states.isEmpty, !definition.states.contains(where: { Name.bytesEqual($0, state) }) {
                    return .outOfRange
                }
            case (.state, _), (.gauge, _), (.counter, _):
                return .wrongType
            }
            if (reading.timestampMillis ?? receivedMillis) > receivedMillis + futureToleranceMillis {
                return .futureTimestamp
            }
            if !series.contains(Name(definition.name)) {
                if series.count >= maxSeries { return .cardinalityLimit }
                series.insert(Name(definition.name))
            }
            return nil
        }
    }

    /// A metric name as a quarantine record carries it: longer than `maxNameBytes`, cut at a
    /// scalar boundary to at most that many bytes and ended with "…".
    static func recordedName(_ name: String) -> String {
        guard name.utf8.count > maxNameBytes else { return name }
        var cut = ""
        for scalar in name.unicodeScalars {
            guard cut.utf8.count + UTF8.width(scalar) <= maxNameBytes else { break }
            cut.unicodeScalars.append(scalar)
        }
        return cut + "…"
    }

    /// `condition` or a trap with `message`.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("IngestPipeline: \(message())") }
    }

    /// Check 2 of the file header: every message and reading accounted for, lines parse.
    static func checkPipeline(_ input: [UInt8]) {
        // Even lengths use the strict catalogue, odd ones the lenient one (unknown metrics
        // become unit-less gauges), so both validation paths are fuzzed.
        let catalogue = MetricCatalogue(definitions, strict: input.count % 2 == 0)
        let settings = settings()
        let sink = AccountingSink()
        let pipeline = IngestPipeline(settings: settings, catalogue: catalogue, sink: sink)

        var expected = DecodedPayload()
        var decodeError: PayloadError?
        input.withUnsafeBytes { buffer in
            do throws(PayloadError) {
                try PayloadDecoder(maxReadings: maxReadings).decode(buffer, into: &expected)
            } catch {
                decodeError = error
            }
        }

        for round in 0..<2 {
            let acceptedBefore = pipeline.stats.readingsAccepted
            let recordsBefore = sink.quarantined.count
            input.withUnsafeBytes { payload in
                topic.withUnsafeBytes { topicBytes in
                    pipeline.ingest(
                        topic: topicBytes, payload: payload,
                        receivedAtNanos: (receivedMillis + Int64(round)) * 1_000_000, packetID: 7)
                }
            }
            let accepted = pipeline.stats.readingsAccepted - acceptedBefore
            let records = Array(sink.quarantined[recordsBefore...])
            let reasons = records.map(\.reason)
            require(pipeline.stats.messages == round + 1, "messages \(pipeline.stats.messages) after \(round + 1)")
            require(pipeline.stats.quarantinedTotal == sink.quarantined.count, "quarantine totals disagree with the sink")
            require(records.allSatisfy { $0.device == device && $0.payloadBytes == input.count }, "record device or size")

            if input.count > maxPayloadBytes {
                require(reasons == [.payloadTooLarge] && accepted == 0, "oversized payload gave \(reasons), \(accepted) accepted")
            } else if let decodeError {
                require(
                    reasons == [decodeError.reason] && accepted == 0,
                    "undecodable payload (\(decodeError.detail)) gave \(reasons), \(accepted) accepted")
            } else if round == 1, let seq = expected.seq {
                require(
                    reasons == [.duplicateSeq] && records[0].seq == seq && accepted == 0,
                    "redelivered seq \(seq) gave \(reasons), \(accepted) accepted")
            } else if round == 1, !expected.readings.isEmpty, expected.readings.allSatisfy({ $0.timestampMillis != nil }) {
                require(
                    reasons == [.duplicatePayload] && accepted == 0,
                    "redelivered timestamped payload gave \(reasons), \(accepted) accepted")
            } else {
                require(
                    records.allSatisfy {
                        ($0.reason.isPerReading || $0.reason == .cardinalityLimit || $0.reason == .nameTooLong)
                            && $0.metric != nil && $0.seq == expected.seq
                    }, "message-level reason for a decodable payload: \(reasons)")
                require(
                    accepted + records.count == expected.readings.count,
                    "\(accepted) accepted + \(records.count) quarantined != \(expected.readings.count) decoded")
                var metrics = expected.readings.map { recordedName($0.metric) }
                for record in records {
                    guard let index = metrics.firstIndex(where: { $0 == record.metric }) else {
                        fatalError("IngestPipeline: quarantined metric \(record.metric ?? "nil") is not among the readings")
                    }
                    metrics.remove(at: index)
                }
                if round == 0 {
                    let fates = referenceFates(expected, catalogue: catalogue)
                    let rejected = zip(expected.readings, fates).compactMap { reading, fate in
                        fate.map { (recordedName(reading.metric), $0) }
                    }
                    let actual = records.map { ($0.metric ?? "", $0.reason) }
                    require(
                        rejected.elementsEqual(actual) { $0.0 == $1.0 && $0.1 == $1.1 },
                        "quarantined \(actual), the reference rejects \(rejected)")
                    require(accepted == fates.filter { $0 == nil }.count, "\(accepted) accepted, the reference accepts \(fates)")
                } else {
                    let redelivered = expected.seq == nil && !expected.readings.isEmpty
                    require(
                        pipeline.stats.redeliveredMessages == (redelivered ? 1 : 0)
                            && pipeline.stats.redeliveredReadings == (redelivered ? accepted : 0),
                        "redelivery counted \(pipeline.stats.redeliveredMessages) messages, \(pipeline.stats.redeliveredReadings) readings"
                    )
                }
            }
        }

        checkFlushed(pipeline, sink, tiers: settings.tiers)
    }

    /// After `flushAll`: each tier's rollups count exactly the accepted readings, and every
    /// quarantine and rollup line reads back.
    static func checkFlushed(_ pipeline: IngestPipeline, _ sink: AccountingSink, tiers: [Tier]) {
        pipeline.flushAll()
        for tier in tiers {
            let counted = sink.rollups.filter { $0.tier == tier }.reduce(0) { $0 + $1.partial.count }
            require(
                counted == pipeline.stats.readingsAccepted,
                "tier \(tier.name) counts \(counted) readings, \(pipeline.stats.readingsAccepted) were accepted")
        }
        for record in sink.quarantined {
            checkQuarantineLine(record)
        }
        for rollup in sink.rollups {
            checkRollupLine(rollup)
        }
    }

    /// A log line as Foundation reads it; traps when it is not a JSON object.
    static func parseLine(_ bytes: [UInt8]) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            fatalError("output line is not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
        }
        return object
    }

    /// Same scalars, not just canonically equivalent. Foundation drops a raw U+FEFF at the start
    /// of a string or right after an escape sequence (the line has it; FoundationJSONOracle,
    /// exception 9), so U+FEFF is left out of the comparison when the strings differ.
    static func same(_ value: Any?, _ expected: String?) -> Bool {
        guard let expected else { return value == nil }
        guard let string = value as? String else { return false }
        if string.unicodeScalars.elementsEqual(expected.unicodeScalars) { return true }
        return string.unicodeScalars.filter { $0 != "\u{FEFF}" }
            .elementsEqual(expected.unicodeScalars.filter { $0 != "\u{FEFF}" })
    }

    /// A quarantine line reads back to the record it was written from.
    static func checkQuarantineLine(_ record: QuarantineRecord) {
        var line = JSONLineBuilder()
        record.write(to: &line)
        let object = parseLine(line.bytes)
        let fields: [(String, String?)] = [
            ("reason", record.reason.rawValue), ("detail", record.detail), ("payload", record.payloadExcerpt),
            ("metric", record.metric), ("device", record.device?.device),
        ]
        for (key, expected) in fields {
            require(
                same(object[key], expected),
                "quarantine line \(key): \(String(describing: object[key]).debugDescription), expected \(expected.debugDescription)"
            )
        }
        require((object["payload_bytes"] as? NSNumber)?.intValue == record.payloadBytes, "quarantine line payload_bytes")
    }

    /// A rollup line reads back to its window's series, tier and count.
    static func checkRollupLine(_ rollup: RollupWindow) {
        var line = JSONLineBuilder()
        rollup.write(to: &line)
        let object = parseLine(line.bytes)
        require(same(object["metric"], rollup.series.metric), "rollup line metric")
        require(same(object["tier"], rollup.tier.name), "rollup line tier")
        require((object["count"] as? NSNumber)?.intValue == rollup.partial.count, "rollup line count")
    }
}

/// libFuzzer's entry point: one input, 0 when done (a violated invariant traps instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    PayloadDecoderTarget.run(input)
    return 0
}
