import Telemetry

/// The fixed world the `Pipeline` target's programs run in: topics, catalogue, limits and the
/// settings variants the program's first two bytes choose between. Everything is small so that
/// short programs reach every limit: 3 or 6 series, windows of a few seconds, a 64-number
/// sequence window, a redelivery window of 3 messages, 2 payload excerpts a second.
enum PipelineFixture {
    /// 2025-11-21T08:00:00Z, the receive time a program starts at.
    static let startMillis: Int64 = 1_763_712_000_000
    /// Limits of `settings(flags:more:)`.
    static let maxPayloadBytes = 1_024
    static let maxReadingsPerMessage = 12
    static let maxTopicBytes = 48
    static let futureToleranceMillis: Int64 = 60_000

    /// The MQTT topics a program picks from (by index): ten devices (more than any
    /// `maxSeries`), two of them in one park spelled precomposed (NFC) and decomposed (NFD),
    /// which are two names since names are bytes, one whose name is invalid UTF-8, and topics
    /// that are too long or do not fit the pattern.
    static let topics: [[UInt8]] = [
        Array("iiot/yen-my/f01/env-0001/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0001/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0002/telemetry".utf8),
        Array("iiot/yen-my/f02/mch-0003/telemetry".utf8),
        Array("iiot/caf\u{E9}/f01/env-0004/telemetry".utf8),
        Array("iiot/cafe\u{301}/f01/env-0004/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0005/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0006/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0007/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0008/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0001/status".utf8),
        Array("iiot/yen-my/f01/env-000000000000000000000001/telemetry".utf8),
        Array("iiot//f01/env-0009/telemetry".utf8),
        Array("iiot/yen-my/f01/env-0001/telemetry/".utf8),
        Array("iiot/yen-my/f01/env-".utf8) + [0xFF] + Array("/telemetry".utf8),
        [],
    ]

    /// The topic pattern of every program: the default wire contract.
    static let topicPattern: TopicPattern = {
        do {
            return try TopicPattern(TopicPattern.defaultPattern)
        } catch {
            fatalError("the default topic pattern is invalid: \(error)")
        }
    }()

    /// The device each topic names (`nil` when it does not fit the pattern), for the ledger.
    static let deviceKeys: [DeviceKey?] = topics.map { topic in
        topic.withUnsafeBytes { topicPattern.match($0) }
    }

    /// Gauges with and without a range, counters with and without one, a state with a list, a
    /// state that takes any string, and a gauge whose name is not ASCII.
    static let definitions = [
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C", validRange: -40...150),
        MetricDefinition(name: "humidity_pct", kind: .gauge, unit: "%", validRange: 0...100),
        MetricDefinition(name: "vibration_mm_s", kind: .gauge, unit: "mm/s"),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh", validRange: 0...1e12),
        MetricDefinition(name: "parts_total", kind: .counter, unit: "parts"),
        MetricDefinition(name: "machine_state", kind: .state, unit: "", states: ["running", "idle", "fault", "off"]),
        MetricDefinition(name: "operator_note", kind: .state, unit: ""),
        MetricDefinition(name: "caf\u{E9}_c", kind: .gauge, unit: "°C", validRange: -1e6...1e6),
    ]

    /// Unknown metrics are quarantined.
    static let strictCatalogue = MetricCatalogue(definitions, strict: true)
    /// Unknown metrics become unit-less gauges.
    static let lenientCatalogue = MetricCatalogue(definitions, strict: false)

    /// The ring the messages pass through when the program asks for it. Reused by every input
    /// (it is empty between messages), so that an input costs no 64 KiB allocation.
    static let ring = MessageRing(capacityBytes: 65_536)

    /// Tier sets, each nested shortest first.
    static let tierSets: [[Tier]] = [
        [Tier(name: "1s", lengthMillis: 1_000), Tier(name: "2s", lengthMillis: 2_000), Tier(name: "4s", lengthMillis: 4_000)],
        [Tier(name: "1s", lengthMillis: 1_000), Tier(name: "3s", lengthMillis: 3_000), Tier(name: "6s", lengthMillis: 6_000)],
        [Tier(name: "2s", lengthMillis: 2_000)],
        [
            Tier(name: "500ms", lengthMillis: 500), Tier(name: "1500ms", lengthMillis: 1_500),
            Tier(name: "3s", lengthMillis: 3_000),
        ],
    ]

    /// Allowed lateness choices, milliseconds.
    static let latenessChoices: [Int64] = [0, 500, 2_000, 5_000]

    /// The settings a program's first two bytes select. First byte: bits 2–3 the allowed
    /// lateness, bits 4–5 the tiers, bit 6 turns the redelivery window off, bit 7 lowers
    /// `maxSeries` from 6 to 3. Second byte: bit 0 writes only 2 rejected readings of a message
    /// one by one (the rest in a summary record) instead of 10, bit 1 accepts retained
    /// deliveries, bit 2 lowers `maxNameBytes` from 128 to 12 (catalogue names become too long).
    static func settings(flags: UInt8, more: UInt8) -> PipelineSettings {
        PipelineSettings(
            topicPattern: topicPattern, maxPayloadBytes: maxPayloadBytes, maxReadingsPerMessage: maxReadingsPerMessage,
            futureToleranceMillis: futureToleranceMillis, dedupWindow: 64,
            redeliveryWindow: flags & 0x40 != 0 ? 0 : 3, tiers: tierSets[Int(flags >> 4) & 3],
            allowedLatenessMillis: latenessChoices[Int(flags >> 2) & 3], stateHorizonMillis: 3_000,
            payloadExcerptBytes: 40, maxTopicBytes: maxTopicBytes, maxSeries: flags & 0x80 != 0 ? 3 : 6,
            excerptsPerSecond: 2, maxNameBytes: more & 4 != 0 ? 12 : 128, acceptRetained: more & 2 != 0,
            readingRecordsPerMessage: more & 1 != 0 ? 2 : 10)
    }
}
