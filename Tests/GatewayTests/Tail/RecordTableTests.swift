import Foundation
import Telemetry
import Testing

@testable import Gateway

/// `gateway tail`'s rows: a gauge's p50 and p99 when its record carries them, and the rows of
/// records without them as before.
@Suite("Tail rows")
struct RecordTableTests {
    static let values: [Double] = [286.84, 297.27, 305.19, 333.77, 312.5, 290.1]

    static func sketch() throws -> QuantileSketch {
        var sketch = QuantileSketch()
        for value in values { try sketch.add(value) }
        return sketch
    }

    /// A gauge record of `values`, with the sketch fields (p50…p99, sketch) as the gateway writes them.
    static func gauge(withSketch: Bool) throws -> [String: Any] {
        let sketch = try sketch()
        var line = """
            {"tier":"10s","start":"2026-11-22T00:16:50.000Z","end":"2026-11-22T00:17:00.000Z","park":"yen-my",\
            "site":"f03","device":"mch-0063","metric":"power_kw","kind":"gauge","unit":"kW","count":6,"sum":1825.67,\
            "min":286.84,"max":333.77,"mean":304.278,"m2":1400.5,"first":{"ts":"2026-11-22T00:16:51.000Z","v":286.84},\
            "last":{"ts":"2026-11-22T00:16:59.000Z","v":290.1},
            """
        if withSketch {
            for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
                line += "\"\(name)\":\(try #require(sketch.quantile(q))),"
            }
            line += "\"sketch\":\"\(sketch.encodedText())\","
        }
        line += "\"complete\":true}"
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aGaugeWithASketchShowsItsMedianAndNinetyNinthPercentile() throws {
        let sketch = try Self.sketch()
        let p50 = String(format: "%.3g", try #require(sketch.quantile(0.5)))
        let p99 = String(format: "%.3g", try #require(sketch.quantile(0.99)))
        let row = RecordTable.rollupRow(try Self.gauge(withSketch: true))
        #expect(row.hasSuffix("mean 304 kW  min 287  max 334  p50 \(p50)  p99 \(p99)"), "\(row)")
        #expect(p50 != p99)
    }

    @Test func aGaugeWithoutASketchShowsWhatItDidBefore() throws {
        let row = RecordTable.rollupRow(try Self.gauge(withSketch: false))
        #expect(row.hasSuffix("mean 304 kW  min 287  max 334"), "\(row)")
    }

    static func record(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aStateShowsItsTimesAvailabilityAndLongestFault() throws {
        let row = RecordTable.rollupRow(
            try Self.record(
                """
                {"tier":"1m","start":"2026-11-22T00:16:00.000Z","end":"2026-11-22T00:17:00.000Z","park":"p","site":"s",\
                "device":"d","metric":"machine_state","kind":"state","unit":"","count":7,\
                "state_count":{"fault":3,"idle":1,"running":3},"state_ms":{"fault":18000,"idle":4000,"running":38000},\
                "transitions":4,"up_ms":38000,"planned_ms":60000,"availability":0.6333333333333333,\
                "longest_fault_ms":13000,"leading_fault_ms":0,"trailing_fault_ms":0,"first":null,"last":null,"complete":true}
                """))
        #expect(row.hasSuffix("fault 18.0s  idle 4.0s  running 38.0s  avail 63.3%  longest fault 13.0s"), "\(row)")
        let noPlannedTime = RecordTable.rollupRow(
            try Self.record(
                """
                {"tier":"10s","end":"2026-11-22T00:17:00.000Z","kind":"state","unit":"","count":0,"state_ms":{"off":10000},\
                "up_ms":0,"planned_ms":0,"availability":null,"longest_fault_ms":0,"complete":true}
                """))
        #expect(noPlannedTime.hasSuffix("off 10.0s"), "\(noPlannedTime)")
    }

    @Test func aCounterShowsItsIncreaseRateAndLastValue() throws {
        let row = RecordTable.rollupRow(
            try Self.record(
                """
                {"tier":"10s","end":"2026-11-22T00:17:00.000Z","kind":"counter","unit":"kWh","count":4,\
                "last":{"ts":"2026-11-22T00:16:59.029Z","v":178779.689},"increase":0.306,"resets":0,"rate":0.0306,"complete":true}
                """))
        #expect(row.hasSuffix("+0.306 kWh  0.0306 kWh/s  last 178779.7"), "\(row)")
    }
}
