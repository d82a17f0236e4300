import SparkplugB

/// The Sparkplug B payloads the simulator publishes, encoded with the `SparkplugB` module, and the
/// one it reads (a rebirth request).
///
/// * NBIRTH: `bdSeq` (Int64) and `Node Control/Rebirth` (Boolean, false), by name only (the
///   specification forbids aliasing the rebirth metric); the edge node has no other metrics.
/// * DBIRTH: every metric of the device's kind with name, alias, datatype and `is_null`, no value:
///   the birth defines the metrics, and the gateway takes no reading from it.
/// * DDATA: one metric per reading, by alias only (no name, no datatype), with the reading's event
///   time; an unknown metric by name only (no birth defines it).
/// * DDEATH: no metrics. NDEATH: `bdSeq` only, no `seq`.
///
/// Every payload carries its publish time as the payload timestamp, and every metric a timestamp.
/// Gauges and counters are Double (a published value, with its 2 or 3 decimals, travels exactly as
/// the 8 bytes of `double_value`), `machine_state` is String.
enum SparkplugPayloads {
    /// The name of the metric that carries the session's `bdSeq`.
    static let bdSeqName = "bdSeq"

    /// The datatype a metric of the catalogue is born with: String for a state, Double otherwise.
    static func datatype(of metric: Metric) -> SparkplugDataType {
        metric.kind == .state ? .string : .double
    }

    /// The value field of a reading's value as it is written: a number as `double_value`, a string
    /// as `string_value`, a boolean as `boolean_value`. Which datatype it meets is the caller's
    /// business: a `wrong_type` fault writes a string or boolean where the birth said Double.
    static func field(of value: ReadingValue) -> SparkplugValueField {
        switch value {
        case .number(let number): .double(number)
        case .string(let text): .string(text)
        case .bool(let flag): .boolean(flag)
        }
    }

    /// An NBIRTH: `bdSeq` and `Node Control/Rebirth` = false, stamped `now`.
    static func nodeBirth(seq: UInt64, bdSeq: UInt64, now: Int64) -> [UInt8] {
        let stamp = milliseconds(now)
        return encode(
            SparkplugPayload(
                timestamp: stamp, seq: seq,
                metrics: [
                    SparkplugMetric(
                        name: bdSeqName, timestamp: stamp, datatype: SparkplugDataType.int64.rawValue, field: .long(bdSeq)),
                    SparkplugMetric(
                        name: SparkplugPayloadEncoder.rebirthMetricName, timestamp: stamp,
                        datatype: SparkplugDataType.boolean.rawValue, field: .boolean(false)),
                ]))
    }

    /// A DBIRTH of a device with `metrics`, the first aliased `firstAlias`: name, alias, datatype,
    /// `is_null` and the birth time for each.
    static func deviceBirth(seq: UInt64, metrics: [Metric], firstAlias: UInt64, now: Int64) -> [UInt8] {
        let stamp = milliseconds(now)
        return encode(
            SparkplugPayload(
                timestamp: stamp, seq: seq,
                metrics: metrics.enumerated().map { position, metric in
                    SparkplugMetric(
                        name: metric.name, alias: firstAlias + UInt64(position), timestamp: stamp,
                        datatype: datatype(of: metric).rawValue, isNull: true)
                }))
    }

    /// A DDATA of `readings`, in order: a reading of the device's metric `metrics[k]` by alias
    /// `firstAlias + k`, any other by its name; each stamped with its `ts` (`now` when it has
    /// none). `seq` is left out when `nil` (the well-formed payload a malformed one is cut from).
    static func deviceData(
        seq: UInt64?, readings: [SimMessage.Reading], metrics: [Metric], firstAlias: UInt64, now: Int64
    ) -> [UInt8] {
        encode(
            SparkplugPayload(
                timestamp: milliseconds(now), seq: seq,
                metrics: readings.map { reading in
                    let stamp = milliseconds(reading.ts ?? now)
                    guard reading.kind != nil, let position = metrics.firstIndex(where: { $0.name == reading.metric }) else {
                        return SparkplugMetric(name: reading.metric, timestamp: stamp, field: field(of: reading.value))
                    }
                    return SparkplugMetric(
                        alias: firstAlias + UInt64(position), timestamp: stamp, field: field(of: reading.value))
                }))
    }

    /// A DDEATH: `seq` and the time, no metrics.
    static func deviceDeath(seq: UInt64, now: Int64) -> [UInt8] {
        encode(SparkplugPayload(timestamp: milliseconds(now), seq: seq))
    }

    /// An NDEATH: the time and `bdSeq`, no `seq`.
    static func nodeDeath(bdSeq: UInt64, now: Int64) -> [UInt8] {
        let stamp = milliseconds(now)
        return encode(
            SparkplugPayload(
                timestamp: stamp,
                metrics: [
                    SparkplugMetric(
                        name: bdSeqName, timestamp: stamp, datatype: SparkplugDataType.int64.rawValue, field: .long(bdSeq))
                ]))
    }

    /// Whether an NCMD payload asks for a rebirth: it decodes, and has `Node Control/Rebirth`
    /// (by name) with the boolean value true.
    static func isRebirthRequest(_ payload: [UInt8]) -> Bool {
        guard let command = try? SparkplugPayloadDecoder().decode(payload) else { return false }
        return command.metrics.contains {
            $0.name == SparkplugPayloadEncoder.rebirthMetricName && $0.field == .boolean(true)
        }
    }

    /// A time in ms since the epoch as the unsigned field carries it (times before 1970 as 0).
    static func milliseconds(_ time: Int64) -> UInt64 {
        UInt64(max(0, time))
    }

    /// The protobuf bytes of `payload`. The encoder only throws when swift-protobuf cannot
    /// serialize a message, which a schema without required fields never gives.
    private static func encode(_ payload: SparkplugPayload) -> [UInt8] {
        do {
            return try SparkplugPayloadEncoder().encode(payload)
        } catch {
            preconditionFailure("a Sparkplug B payload without required fields failed to encode: \(error)")
        }
    }
}
