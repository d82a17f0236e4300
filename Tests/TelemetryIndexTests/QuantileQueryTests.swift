import Foundation
import GRDB
import Telemetry
import Testing

@testable import TelemetryIndex

/// Quantiles from the sketches gauge records carry: indexed, merged per bucket across windows,
/// devices and the records of a window cut short, and checked against a sketch built here from
/// all the bucket's readings and against the exact quantile of the sorted readings.
@Suite("Quantiles over the index")
struct QuantileQueryTests {
    static let start: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z
    static let minute: Int64 = 60_000
    static let quantiles = ["p1", "p50", "p90", "p95", "p99", "q0.999"]

    /// What a record says of its sketch.
    enum SketchField {
        /// The sketch of the record's readings, with p50…p99, as a gateway writes it.
        case ofReadings
        /// No sketch, as a gateway before sketches (or a counter) writes it.
        case none
        /// This sketch, with its p50…p99.
        case sketch(QuantileSketch)
        /// This JSON value as `sketch`, without p50…p99.
        case raw(String)
    }

    /// The sketch of `values` (α 1 %).
    static func sketch(of values: [Double], relativeAccuracy: Double = 0.01) throws -> QuantileSketch {
        var sketch = try QuantileSketch(relativeAccuracy: relativeAccuracy)
        for value in values { try sketch.add(value) }
        return sketch
    }

    /// A 1-minute gauge record of `values` (a reading every second from the window's start), in
    /// the field order of docs/formats.md, with the sketch fields after `last`.
    static func gaugeLine(
        device: String, window: Int64, values: [Double], complete: Bool = true, sketch field: SketchField = .ofReadings
    ) throws -> String {
        let start = Self.start + window * minute
        let sum = values.reduce(0, +)
        let mean = values.isEmpty ? 0 : sum / Double(values.count)
        var line =
            "{\"tier\":\"1m\",\"start\":\"\(ReferenceSeries.time(start))\",\"end\":\"\(ReferenceSeries.time(start + minute))\","
            + "\"park\":\"p\",\"site\":\"s\",\"device\":\"\(device)\",\"metric\":\"power_kw\",\"kind\":\"gauge\",\"unit\":\"kW\","
            + "\"count\":\(values.count),\"sum\":\(sum),\"min\":\(values.min() ?? 0),\"max\":\(values.max() ?? 0),"
            + "\"mean\":\(mean),\"m2\":\(values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }),"
        if let first = values.first, let last = values.last {
            line += "\"first\":{\"ts\":\"\(ReferenceSeries.time(start))\",\"v\":\(first)},"
            line +=
                "\"last\":{\"ts\":\"\(ReferenceSeries.time(start + Int64(values.count - 1) * 1000))\",\"v\":\(last)},"
        } else {
            line += "\"first\":null,\"last\":null,"
        }
        let written: QuantileSketch?
        switch field {
        case .ofReadings: written = try sketch(of: values)
        case .sketch(let given): written = given
        case .none: written = nil
        case .raw(let json):
            written = nil
            line += "\"sketch\":\(json),"
        }
        if let written {
            for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
                line += "\"\(name)\":\(written.quantile(q).map { "\($0)" } ?? "null"),"
            }
            line += "\"sketch\":\"\(written.encodedText())\","
        }
        return line + "\"complete\":\(complete)}"
    }

    static func indexed(_ lines: [String]) throws -> (scratch: IndexScratch, progress: IndexWriter.Progress) {
        let scratch = try IndexScratch()
        let log = try scratch.openLog()
        for line in lines { try log.append(line) }
        try log.flush(nowMillis: 1)
        try log.close()
        return (scratch, try scratch.catchUp())
    }

    static func query(
        _ scratch: IndexScratch, minutes: Int64, _ parameters: [(name: String, value: String)]
    ) throws
        -> QueryResult
    {
        try scratch.query(
            [("from", ReferenceSeries.time(start)), ("to", ReferenceSeries.time(start + minutes * minute))] + parameters,
            nowMillis: start)
    }

    /// The sketch's median, which must exist.
    static func median(_ sketch: QuantileSketch) throws -> Double { try #require(sketch.quantile(0.5)) }

    /// The value of the quantile named `name` at `point`.
    static func value(_ name: String, at point: QueryResult.Point) throws -> QueryResult.Point.Value {
        point.value(of: try #require(QueryAggregate(name: name)))
    }

    /// Readings of two devices of one site over `minutes` minutes, one a second: a temperature
    /// around 20 with zeros and negatives, a power two orders of magnitude larger, so that a
    /// bucket's quantiles differ from those of any one window or device.
    static func twoDevices(minutes: Int) -> [String: [[Double]]] {
        var random = SplitMix64(seed: 20_261_201)
        var readings: [String: [[Double]]] = [:]
        for device in ["d1", "d2"] {
            readings[device] = (0..<minutes).map { window in
                (0..<60).map { second in
                    let noise = Double(random.next() % 10_000) / 10_000
                    if device == "d1" {
                        return second % 17 == 0 ? 0 : -5 + 30 * noise + Double(window)
                    }
                    return 100 + 300 * noise * noise + Double(window * 7)
                }
            }
        }
        return readings
    }

    @Test func aBucketsQuantileIsThatOfTheSketchOfAllItsReadingsAcrossWindowsAndDevices() throws {
        let readings = Self.twoDevices(minutes: 30)
        var lines: [String] = []
        for device in ["d1", "d2"] {
            for (window, values) in (readings[device] ?? []).enumerated() {
                lines.append(try Self.gaugeLine(device: device, window: Int64(window), values: values))
            }
        }
        let (scratch, progress) = try Self.indexed(lines)
        #expect(progress.records == 60 && progress.unreadableSketches == 0)
        let result = try Self.query(
            scratch, minutes: 30,
            [("step", "10m"), ("group_by", "site"), ("agg", "count,mean," + Self.quantiles.joined(separator: ","))])
        let series = try #require(result.series.first)
        #expect(result.series.count == 1 && series.points.count == 3)
        for (bucket, point) in series.points.enumerated() {
            let windows = (bucket * 10)..<(bucket * 10 + 10)
            let values = ["d1", "d2"].flatMap { device in windows.flatMap { readings[device]?[$0] ?? [] } }
            #expect(point.merge.count == 1_200 && values.count == 1_200)
            let union = try Self.sketch(of: values)
            let sorted = values.sorted()
            for name in Self.quantiles {
                let q = try #require(QueryQuantile(name: name)).fraction
                let expected = try #require(union.quantile(q))
                #expect(try Self.value(name, at: point) == .number(expected), "\(name) of bucket \(bucket)")
                let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
                #expect(abs(expected - exact) <= 0.01 * abs(exact), "\(name) of bucket \(bucket): \(expected), exactly \(exact)")
            }
            // Not any one device's or window's answer: the merge has to take every window.
            let firstWindow = try Self.sketch(of: readings["d1"]?[windows.lowerBound] ?? [])
            #expect(try Self.value("p50", at: point) != .number(Self.median(firstWindow)))
        }
        let json = String(decoding: result.json(), as: UTF8.self)
        let firstPoint = try #require(series.points.first)
        let q999 = try #require(firstPoint.merge.sketch?.quantile(0.999))
        #expect(json.contains(",\"q0.999\":\(q999),\"complete\":true}"))
        #expect(result.csv().hasPrefix("start,end,park,site,metric,kind,unit,count,mean,p1,p50,p90,p95,p99,q0.999,complete\r\n"))
    }

    @Test func theRecordsOfAWindowCutShortMergeTheirSketches() throws {
        let values = (0..<90).map { Double(($0 * 37) % 90) * 1.5 + 10 }
        let lines = [
            // Window 0: cut short twice (two restarts) and never finished.
            try Self.gaugeLine(device: "d1", window: 0, values: Array(values[0..<30]), complete: false),
            try Self.gaugeLine(device: "d1", window: 0, values: Array(values[30..<90]), complete: false),
            // Window 1: cut short, then finished after the restart.
            try Self.gaugeLine(device: "d1", window: 1, values: Array(values[0..<45]), complete: false),
            try Self.gaugeLine(device: "d1", window: 1, values: Array(values[45..<90]), complete: true),
        ]
        let (scratch, _) = try Self.indexed(lines)
        let result = try Self.query(scratch, minutes: 2, [("step", "1m"), ("agg", "count,p50,p90,p99")])
        let points = try #require(result.series.first?.points)
        #expect(points.map(\.merge.count) == [90, 90])
        #expect(points.map(\.merge.complete) == [false, true])
        let whole = try Self.sketch(of: values)
        for point in points {
            #expect(point.merge.sketch == whole)
            for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
                #expect(try Self.value(name, at: point) == .number(#require(whole.quantile(q))))
            }
        }
        let part = try Self.sketch(of: Array(values[0..<30]))
        #expect(try Self.median(whole) != Self.median(part), "a part alone would answer otherwise")
    }

    @Test func aBucketWithAWindowWithoutASketchHasNoQuantilesButItsOtherFigures() throws {
        let readings = Self.twoDevices(minutes: 10)["d1"] ?? []
        var lines: [String] = []
        for (window, values) in readings.enumerated() {
            // Window 7 as a gateway before sketches wrote it (after a downgrade, say).
            lines.append(
                try Self.gaugeLine(device: "d1", window: Int64(window), values: values, sketch: window == 7 ? .none : .ofReadings)
            )
        }
        let (scratch, _) = try Self.indexed(lines)
        let result = try Self.query(scratch, minutes: 10, [("step", "5m"), ("agg", "count,mean,p50,p99")])
        let points = try #require(result.series.first?.points)
        #expect(points.count == 2)
        let firstHalf = try Self.sketch(of: readings[0..<5].flatMap { $0 })
        #expect(try Self.value("p50", at: points[0]) == .number(Self.median(firstHalf)))
        #expect(try Self.value("p50", at: points[1]) == .absent)
        #expect(try Self.value("p99", at: points[1]) == .absent)
        #expect(points[1].merge.count == 300 && points[1].value(of: .mean) != .absent)
        let json = String(decoding: result.json(), as: UTF8.self)
        #expect(json.contains("\"p50\":null,\"p99\":null,\"complete\":true}"))
        #expect(result.csv().contains(",,true\r\n"))
    }

    @Test func countersAndStatesHaveNoQuantiles() throws {
        var counter = ReferenceSeries(park: "p", site: "s", device: "d1", metric: "energy_kwh", kind: "counter", unit: "kWh")
        for second in 0..<120 {
            counter.readings.append((Self.start + Int64(second) * 1000, 100 + Double(second) / 2))
        }
        var state = ReferenceSeries(park: "p", site: "s", device: "d1", metric: "machine_state", kind: "state", unit: "")
        state.states = [(Self.start + 5_000, "running"), (Self.start + 65_000, "idle")]
        let (scratch, _) = try Self.indexed(counter.lines(tierMillis: Self.minute) + state.lines(tierMillis: Self.minute))
        let result = try Self.query(scratch, minutes: 2, [("step", "1m"), ("agg", "count,p50,q0.99")])
        #expect(result.series.count == 2)
        for series in result.series {
            #expect(series.points.count == 2 && series.points.allSatisfy { $0.merge.count > 0 })
            for point in series.points {
                #expect(try Self.value("p50", at: point) == .absent)
                #expect(try Self.value("q0.99", at: point) == .absent)
            }
        }
    }

    @Test func aBucketWithoutReadingsHasNoQuantile() throws {
        // A gauge window of no reading (with the sketch of nothing), and a state window holding
        // state time but no reading.
        var state = ReferenceSeries(park: "p", site: "s", device: "d1", metric: "machine_state", kind: "state", unit: "")
        state.states = [(Self.start - 30_000, "running")]
        let lines =
            [try Self.gaugeLine(device: "d1", window: 0, values: [], sketch: .sketch(QuantileSketch()))]
            + state.lines(tierMillis: Self.minute)
        let (scratch, progress) = try Self.indexed(lines)
        #expect(progress.unreadableSketches == 0)
        let result = try Self.query(scratch, minutes: 1, [("step", "1m"), ("agg", "count,p50")])
        #expect(result.series.count == 2)
        for series in result.series {
            let point = try #require(series.points.first)
            #expect(point.merge.count == 0)
            #expect(try Self.value("p50", at: point) == .absent)
        }
    }

    @Test func sketchesOfDifferentRelativeAccuracyDoNotMerge() throws {
        let lines = [
            try Self.gaugeLine(device: "d1", window: 0, values: [1, 2, 3]),
            try Self.gaugeLine(
                device: "d1", window: 1, values: [4, 5, 6], sketch: .sketch(Self.sketch(of: [4, 5, 6], relativeAccuracy: 0.02))),
        ]
        let (scratch, _) = try Self.indexed(lines)
        let merged = try Self.query(scratch, minutes: 2, [("step", "2m"), ("agg", "p50")])
        let point = try #require(merged.series.first?.points.first)
        #expect(point.merge.count == 6)
        #expect(try Self.value("p50", at: point) == .absent)
        let apart = try Self.query(scratch, minutes: 2, [("step", "1m"), ("agg", "p50")])
        let medians = [
            try Self.median(Self.sketch(of: [1, 2, 3])), try Self.median(Self.sketch(of: [4, 5, 6], relativeAccuracy: 0.02)),
        ]
        #expect(
            try #require(apart.series.first).points.map { try Self.value("p50", at: $0) }
                == medians.map(QueryResult.Point.Value.number))
    }

    @Test func aMalformedSketchLeavesItsRecordIndexedWithoutOneAndIsCounted() throws {
        let values: [Double] = [10, 20, 30, 40]
        let lines = [
            try Self.gaugeLine(device: "d1", window: 0, values: values),
            try Self.gaugeLine(device: "d1", window: 1, values: values, sketch: .raw("\"not base64!\"")),
            // Base64 of the version byte alone: a truncated encoding.
            try Self.gaugeLine(device: "d1", window: 2, values: values, sketch: .raw("\"AQ==\"")),
            try Self.gaugeLine(device: "d1", window: 3, values: values, sketch: .raw("42")),
        ]
        #expect(RollupRecord(line: Array(lines[1].utf8))?.sketchError == .invalidText)
        #expect(RollupRecord(line: Array(lines[2].utf8))?.sketchError == .truncated(offset: 1))
        #expect(RollupRecord(line: Array(lines[3].utf8))?.sketchError == .invalidText)
        let (scratch, progress) = try Self.indexed(lines)
        #expect(progress.records == 4 && progress.unreadableLines == 0 && progress.unreadableSketches == 3)
        let result = try Self.query(scratch, minutes: 4, [("step", "1m"), ("agg", "count,mean,p50")])
        let points = try #require(result.series.first?.points)
        #expect(points.map(\.merge.count) == [4, 4, 4, 4])
        #expect(points.map { $0.value(of: .mean) } == Array(repeating: .number(25), count: 4))
        let p50 = try Self.median(Self.sketch(of: values))
        #expect(try points.map { try Self.value("p50", at: $0) } == [.number(p50), .absent, .absent, .absent])
        // The index holds the sketch's binary encoding, and nothing for the malformed ones.
        let stored = try DatabaseQueue(path: scratch.indexPath).read { db in
            try Row.fetchAll(db, sql: "SELECT sketch FROM partial ORDER BY start_ms").map { $0[0] as Data? }
        }
        #expect(stored == [Data(try Self.sketch(of: values).encoded()), nil, nil, nil])
    }

    @Test func aGaugeRecordWithASketchParsesItAndOneWithoutStillParses() throws {
        let sketch = try Self.sketch(of: [1, 2.5, -3, 0, 1000])
        let with = try #require(
            RollupRecord(line: Array(try Self.gaugeLine(device: "d", window: 0, values: [1], sketch: .sketch(sketch)).utf8)))
        #expect(with.sketch == sketch && with.sketchError == nil)
        let without = try #require(
            RollupRecord(line: Array(try Self.gaugeLine(device: "d", window: 0, values: [1], sketch: .none).utf8)))
        #expect(without.sketch == nil && without.sketchError == nil)
        #expect(with.count == without.count && with.sum == without.sum && with.last == without.last)
    }
}
