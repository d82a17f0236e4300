import Foundation
import Telemetry

/// One rollup line of the log, parsed: a window of one series (see docs/formats.md). The
/// index stores these; the log stays the source of truth.
public struct RollupRecord: Sendable, Equatable {
    public var startMillis: Int64
    public var endMillis: Int64
    public var series: SeriesName
    /// `gauge`, `counter` or `state`.
    public var kind: String
    public var unit: String
    public var count: Int64
    public var sum: Double?
    public var min: Double?
    public var max: Double?
    /// Sum of squared deviations from the mean.
    public var m2: Double?
    public var first: TimedValue?
    public var last: TimedValue?
    public var increase: Double?
    public var resets: Int64?
    /// States in byte order of their names.
    public var states: [StateTime]
    /// False for a window written before it ended (at a shutdown).
    public var complete: Bool
    /// The window's quantile sketch (`sketch`, gauges); nil for counters, states, records
    /// written before records carried one, and a sketch that did not decode.
    public var sketch: QuantileSketch?
    /// State records: readings whose state differs from the series' previous reading. Nil for
    /// other kinds, records written before state records carried it and a value out of its
    /// bounds, as the five below.
    public var transitions: Int64?
    /// State records: milliseconds of the window in the metric's up states.
    public var upMillis: Int64?
    /// State records: milliseconds of the window in the metric's planned-time states.
    public var plannedMillis: Int64?
    /// State records: the longest continuous fault time inside the window.
    public var longestFaultMillis: Int64?
    /// State records: the fault time from the window's start (0 when it does not begin in a fault).
    public var leadingFaultMillis: Int64?
    /// State records: the fault time up to the window's end (0 when it does not end in a fault).
    public var trailingFaultMillis: Int64?
    /// Why the record's `sketch` did not decode; the record is still indexed, without a sketch,
    /// so that one damaged field costs the window's quantiles and not its other figures.
    public var sketchError: QuantileSketchDecodingError?

    /// The tier is the window's length.
    public var tierMillis: Int64 { endMillis - startMillis }

    public init(
        startMillis: Int64, endMillis: Int64, series: SeriesName, kind: String, unit: String, count: Int64,
        sum: Double? = nil, min: Double? = nil, max: Double? = nil, m2: Double? = nil,
        first: TimedValue? = nil, last: TimedValue? = nil, increase: Double? = nil, resets: Int64? = nil,
        states: [StateTime] = [], complete: Bool, sketch: QuantileSketch? = nil
    ) {
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.series = series
        self.kind = kind
        self.unit = unit
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.m2 = m2
        self.first = first
        self.last = last
        self.increase = increase
        self.resets = resets
        self.states = states
        self.complete = complete
        self.sketch = sketch
    }

    /// Parses one log line; nil when it is not a rollup record of the documented shape (the
    /// caller counts those rather than stopping: the log may hold a line torn by a crash).
    /// `JSONDecoder`, not `JSONSerialization`: the latter reads long decimals as
    /// `NSDecimalNumber`, whose `doubleValue` is not always the nearest double, and the index
    /// must hold the log's numbers exactly.
    public init?(line: [UInt8]) {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(line)),
            let start = TimeExpression.rfc3339UTCMillis(wire.start), let end = TimeExpression.rfc3339UTCMillis(wire.end),
            end > start, wire.count >= 0
        else { return nil }
        var states: [[UInt8]: StateTime] = [:]
        for (name, readings) in wire.stateCount ?? [:] {
            states[Array(name.utf8), default: StateTime(name: Array(name.utf8), readings: 0, millis: 0)].readings = readings
        }
        for (name, millis) in wire.stateMs ?? [:] {
            states[Array(name.utf8), default: StateTime(name: Array(name.utf8), readings: 0, millis: 0)].millis = millis
        }
        self.init(
            startMillis: start, endMillis: end,
            series: SeriesName(
                park: Array(wire.park.utf8), site: Array(wire.site.utf8), device: Array(wire.device.utf8),
                metric: Array(wire.metric.utf8)),
            kind: wire.kind, unit: wire.unit ?? "", count: wire.count, sum: wire.sum, min: wire.min, max: wire.max,
            m2: wire.m2, first: wire.first?.timedValue, last: wire.last?.timedValue, increase: wire.increase,
            resets: wire.resets, states: states.values.sorted { $0.name.lexicographicallyPrecedes($1.name) },
            complete: wire.complete)
        if wire.kind == "state" { takeStateMeasures(wire) }
        if let field = wire.sketch {
            do throws(QuantileSketchDecodingError) {
                guard let text = field.text else { throw .invalidText }
                sketch = try QuantileSketch(encodedText: text)
            } catch {
                sketchError = error
            }
        }
    }

    /// A state record's measures, each group (transitions; up and planned time; fault runs)
    /// only when it is within its bounds: counts and times not negative, up time at most the
    /// planned time, runs within the window and the end runs within the longest. A group out of
    /// bounds is left out, as in a record without it, so that a damaged field costs that figure
    /// and not the window.
    private mutating func takeStateMeasures(_ wire: Wire) {
        if let count = wire.transitions, count >= 0 { transitions = count }
        if let up = wire.upMs, let planned = wire.plannedMs, 0 <= up, up <= planned, planned <= tierMillis {
            (upMillis, plannedMillis) = (up, planned)
        }
        if let longest = wire.longestFaultMs, let leading = wire.leadingFaultMs, let trailing = wire.trailingFaultMs,
            longest <= tierMillis, 0 <= leading, leading <= longest, 0 <= trailing, trailing <= longest
        {
            (longestFaultMillis, leadingFaultMillis, trailingFaultMillis) = (longest, leading, trailing)
        }
    }

    /// The line as JSON has it (field names as in docs/formats.md). Fields not listed are not
    /// read: a state record's `availability` (up over planned time, which queries compute from
    /// the sums) and a counter's `rate`.
    private struct Wire: Decodable {
        var start: String
        var end: String
        var park: String
        var site: String
        var device: String
        var metric: String
        var kind: String
        var unit: String?
        var count: Int64
        var sum: Double?
        var min: Double?
        var max: Double?
        var m2: Double?
        var first: WireValue?
        var last: WireValue?
        var increase: Double?
        var resets: Int64?
        var stateCount: [String: Int64]?
        var stateMs: [String: Int64]?
        var transitions: Int64?
        var upMs: Int64?
        var plannedMs: Int64?
        var longestFaultMs: Int64?
        var leadingFaultMs: Int64?
        var trailingFaultMs: Int64?
        var complete: Bool
        /// Gauges' sketch text; `p50`…`p99` beside it are the sketch's own answers and not read.
        var sketch: WireSketch?

        enum CodingKeys: String, CodingKey {
            case start, end, park, site, device, metric, kind, unit, count, sum, min, max, m2, first, last, increase, resets
            case complete, sketch, transitions
            case stateCount = "state_count"
            case stateMs = "state_ms"
            case upMs = "up_ms"
            case plannedMs = "planned_ms"
            case longestFaultMs = "longest_fault_ms"
            case leadingFaultMs = "leading_fault_ms"
            case trailingFaultMs = "trailing_fault_ms"
        }
    }

    /// The `sketch` field as any JSON value, so that one of the wrong type is a malformed sketch
    /// (`text` nil) rather than a line that is not a record.
    private struct WireSketch: Decodable {
        var text: String?

        init(from decoder: any Decoder) throws {
            text = try? decoder.singleValueContainer().decode(String.self)
        }
    }

    private struct WireValue: Decodable {
        var ts: String
        var v: RecordedValue

        var timedValue: TimedValue? { TimeExpression.rfc3339UTCMillis(ts).map { TimedValue(millis: $0, value: v) } }

        enum CodingKeys: String, CodingKey { case ts, v }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ts = try container.decode(String.self, forKey: .ts)
            if let state = try? container.decode(String.self, forKey: .v) {
                v = .state(Array(state.utf8))
            } else {
                v = .number(try container.decode(Double.self, forKey: .v))
            }
        }
    }
}
