// Sparkplug B messages for the pipeline benchmarks: the readings of `init(devices:mix:count:)`
// as NDATA of one edge node per device, alias-only metrics with their own timestamps, as an
// edge node sends them after its NBIRTH. The protobuf bytes are written here by hand (varints
// and length-delimited fields, with the datatype numbers of the Sparkplug B specification), so
// that the benchmark package needs no protobuf runtime; the gateway's tests hold its reader to
// swift-protobuf's.
//
// Timestamps are 6-byte varints (any time from 2^35 ms, 1971, to 2^42 ms, 2109) and `seq` a
// 2-byte varint (its second byte 0 or 1), both rewritten in place by `stamp`.

import Telemetry

extension MessageSet {
    /// NDATA `spBv1.0/<park>/NDATA/mch-<i>`: every metric of `mix` by its alias (its index + 1),
    /// each with the message's time, doubles for gauges and counters, strings for states.
    init(sparkplugOf devices: Int, mix: MetricMix, count: Int) {
        isSparkplug = true
        for index in 0..<count {
            let device = index % devices
            var payload = ProtobufBytes()
            var offsets: [Int] = []
            for metric in mix.definitions.indices {
                var entry = ProtobufBytes()
                entry.varintField(2, UInt64(metric + 1))
                offsets.append(entry.timestampField(3))
                let text = mix.value(metric: metric, message: index, devices: devices)
                if mix.definitions[metric].kind == .state {
                    entry.bytesField(15, Array(text.utf8.dropFirst().dropLast()))
                } else {
                    entry.fixed64Field(13, (Double(text) ?? 0).bitPattern)
                }
                let start = payload.lengthDelimitedHeader(2, entry.bytes.count)
                offsets = offsets.map { $0 + start }
                timestampOffsets += offsets
                offsets = []
                payload.bytes += entry.bytes
            }
            let seqOffset = payload.seqField(3)
            self.devices.append(device)
            topics.append(Array("spBv1.0/\(Self.parks[device % Self.parks.count])/NDATA/mch-\(device)".utf8))
            payloads.append(payload.bytes)
            firstTimestamp.append(timestampOffsets.count)
            seqOffsets.append(seqOffset)
        }
    }

    /// Each device's NBIRTH (seq 0, bdSeq 0): every metric of `mix` by name, alias and datatype,
    /// null, so the births define the metrics and hold no reading.
    static func sparkplugBirths(devices: Int, mix: MetricMix) -> [(topic: [UInt8], payload: [UInt8])] {
        (0..<devices).map { device in
            var payload = ProtobufBytes()
            var bdSeq = ProtobufBytes()
            bdSeq.bytesField(1, Array("bdSeq".utf8))
            bdSeq.varintField(4, 4)
            bdSeq.varintField(11, 0)
            payload.bytesField(2, bdSeq.bytes)
            for (metric, definition) in mix.definitions.enumerated() {
                var entry = ProtobufBytes()
                entry.bytesField(1, Array(definition.name.utf8))
                entry.varintField(2, UInt64(metric + 1))
                entry.varintField(4, definition.kind == .state ? 12 : 10)
                entry.varintField(7, 1)
                payload.bytesField(2, entry.bytes)
            }
            payload.varintField(3, 0)
            let topic = Array("spBv1.0/\(parks[device % parks.count])/NBIRTH/mch-\(device)".utf8)
            return (topic, payload.bytes)
        }
    }

    /// Writes `value` as a 6-byte varint at `offset` of payload `index`.
    mutating func writeVarintTimestamp(_ value: Int64, at offset: Int, in index: Int) {
        var remaining = UInt64(value)
        for position in offset..<(offset + 6) {
            payloads[index][position] = UInt8(remaining & 0x7F) | (position < offset + 5 ? 0x80 : 0)
            remaining >>= 7
        }
    }

    /// Writes `seq` modulo 256 as a 2-byte varint at `offset` of payload `index`.
    mutating func writeVarintSeq(_ seq: Int64, at offset: Int, in index: Int) {
        let value = UInt8(truncatingIfNeeded: seq)
        payloads[index][offset] = (value & 0x7F) | 0x80
        payloads[index][offset + 1] = value >> 7
    }
}

/// Protobuf wire bytes, field by field.
struct ProtobufBytes {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(remaining & 0x7F) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    mutating func varintField(_ field: UInt64, _ value: UInt64) {
        varint(field << 3)
        varint(value)
    }

    mutating func fixed64Field(_ field: UInt64, _ value: UInt64) {
        varint(field << 3 | 1)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func bytesField(_ field: UInt64, _ value: [UInt8]) {
        _ = lengthDelimitedHeader(field, value.count)
        bytes += value
    }

    /// The tag and length of a length-delimited field of `count` bytes; returns where its bytes start.
    mutating func lengthDelimitedHeader(_ field: UInt64, _ count: Int) -> Int {
        varint(field << 3 | 2)
        varint(UInt64(count))
        return bytes.count
    }

    /// A varint field with a 6-byte placeholder for a timestamp; returns where the value starts.
    mutating func timestampField(_ field: UInt64) -> Int {
        varint(field << 3)
        let start = bytes.count
        bytes += [0x80, 0x80, 0x80, 0x80, 0x80, 0x10]
        return start
    }

    /// A varint field with a 2-byte placeholder for `seq`; returns where the value starts.
    mutating func seqField(_ field: UInt64) -> Int {
        varint(field << 3)
        let start = bytes.count
        bytes += [0x80, 0x00]
        return start
    }
}
