/// The ThingsBoard-style JSON payload shapes of the wire contract, and how each is written.
///
/// * `plain`: `{"seq":17,"temperature_c":24.1}`; the gateway stamps receive time.
/// * `ts`: `{"ts":1763700000123,"seq":17,"values":{"temperature_c":24.1}}`.
/// * `array`: `[{"ts":…,"seq":17,"values":{…}},{"ts":…,"values":{…}}]`; `seq` appears in the
///   first entry only, which is where the gateway reads it.
/// * `batch`: written like `array`, but each entry is one sample of the device's metrics at its
///   own timestamp, so a message can carry several readings of the same metric: how devices
///   that buffer readings send them.
enum PayloadShape: String, CaseIterable, Sendable {
    /// Flat object of metric values, no timestamp.
    case plain
    /// One timestamp and a `values` object.
    case ts
    /// Several `{ts, values}` entries, timestamps increasing.
    case array
    /// One `{ts, values}` entry per sample of the device, timestamps increasing; the array
    /// shape on the wire.
    case batch

    /// The shapes used when none are chosen: one sample per message.
    static let singleSample: [PayloadShape] = [.plain, .ts, .array]

    /// One `{ts, values}` group of a payload. The plain shape has exactly one, with no `ts`.
    struct Entry: Sendable, Equatable {
        /// Milliseconds since the Unix epoch; `nil` only in the plain shape.
        var ts: Int64?
        /// Metric name and value pairs, in payload order.
        var values: [(name: String, value: ReadingValue)]

        /// Creates an entry.
        init(ts: Int64?, values: [(name: String, value: ReadingValue)]) {
            self.ts = ts
            self.values = values
        }

        /// Entries are equal when timestamps and every name/value pair are.
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.ts == rhs.ts && lhs.values.elementsEqual(rhs.values) { $0.name == $1.name && $0.value == $1.value }
        }
    }

    /// Whether the shape carries timestamps (only those can be made late or future).
    var isTimestamped: Bool { self != .plain }

    /// Writes the payload. `seq`, when present, goes first in the plain shape, after `ts` in the
    /// ts shape and in the first entry of the array and batch shapes. `entries` must hold exactly
    /// one entry for `plain` and `ts`, and at least one for `array` and `batch`.
    func encode(entries: [Entry], seq: UInt64?) -> [UInt8] {
        let multiple = self == .array || self == .batch
        precondition(!entries.isEmpty && (multiple || entries.count == 1), "\(self) payload with \(entries.count) entries")
        var writer = JSONWriter(capacity: 64 + 32 * entries.reduce(0) { $0 + $1.values.count })
        switch self {
        case .plain:
            writer.byte(UInt8(ascii: "{"))
            var first = true
            if let seq {
                writer.raw("\"seq\":")
                writer.integer(seq)
                first = false
            }
            for (name, value) in entries[0].values {
                if !first { writer.byte(UInt8(ascii: ",")) }
                first = false
                writer.key(name)
                writer.value(value)
            }
            writer.byte(UInt8(ascii: "}"))
        case .ts:
            Self.writeEntry(entries[0], seq: seq, into: &writer)
        case .array, .batch:
            writer.byte(UInt8(ascii: "["))
            for (position, entry) in entries.enumerated() {
                if position > 0 { writer.byte(UInt8(ascii: ",")) }
                Self.writeEntry(entry, seq: position == 0 ? seq : nil, into: &writer)
            }
            writer.byte(UInt8(ascii: "]"))
        }
        return writer.bytes
    }

    private static func writeEntry(_ entry: Entry, seq: UInt64?, into writer: inout JSONWriter) {
        writer.raw("{\"ts\":")
        writer.integer(entry.ts ?? 0)
        if let seq {
            writer.raw(",\"seq\":")
            writer.integer(seq)
        }
        writer.raw(",\"values\":{")
        for (position, pair) in entry.values.enumerated() {
            if position > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.key(pair.name)
            writer.value(pair.value)
        }
        writer.raw("}}")
    }
}
