import Foundation
import Testing

@testable import Gateway
@testable import TelemetryIndex

/// `/metrics` rendered from engine figures: names, units, and counters that follow totals.
@Suite("Metrics exporter")
struct MetricsExporterTests {
    /// `name{labels} value` lines of a Prometheus text body.
    private func samples(_ body: [UInt8]) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func everyFigureIsExportedUnderItsNameInBaseUnits() {
        var progress = IndexWriter.Progress()
        progress.records = 40
        progress.lagBytes = 512
        let values = samples(MetricsExporter().render(figures: EngineFigures(SampleSnapshot.make()), progress: progress))
        let expected: [String: Double] = [
            "messages_received_total": 1_010, "messages_ingested_total": 1_001, "readings_accepted_total": 2_002,
            "quarantined_total{reason=\"out_of_range\"}": 3, "quarantined_total{reason=\"duplicate_seq\"}": 4,
            "quarantined_total{reason=\"too_late\"}": 0, "seq_missing": 5, "seq_restarts_total": 6,
            "redelivered_messages_total": 7, "rollups_written_total": 9, "retained_skipped_total": 10, "windows_open": 11,
            "series": 12, "ring_used_bytes": 4_096, "ring_capacity_bytes": 1_048_576, "ingest_lag_seconds": 1.5,
            "bytes_written_total{log=\"rollups\"}": 123_456, "bytes_written_total{log=\"quarantine\"}": 7_890,
            "back_pressure_seconds_total": 2.5, "messages_truncated_total": 13, "reconnects_total": 2,
            "broker_connected": 1, "storage_failing": 0, "storage_buffered_bytes": 14, "close_delay_p99_seconds": 0.12,
            "snapshot_timestamp_seconds": 1_764_547_200.123, "index_records_total": 40, "index_lag_bytes": 512,
            "index_expired_rows_total": 0, "sparkplug_rebirth_requests_total": 15, "sparkplug_commands_skipped_total": 16,
        ]
        for (name, value) in expected {
            #expect(values[MetricsExporter.prefix + name] == value, "\(name)")
        }
    }

    @Test func countersFollowTheTotalsAndRestartWhenATotalGoesDown() {
        let exporter = MetricsExporter()
        var figures = EngineFigures(SampleSnapshot.make())
        let name = MetricsExporter.prefix + "messages_ingested_total"
        #expect(samples(exporter.render(figures: figures, progress: nil))[name] == 1_001)
        figures.messages = 1_500
        #expect(samples(exporter.render(figures: figures, progress: nil))[name] == 1_500)
        // The gateway beside `gateway serve` restarted: its per-process totals start again.
        figures.messages = 200
        #expect(samples(exporter.render(figures: figures, progress: nil))[name] == 200)
        figures.messages = -5
        #expect(samples(exporter.render(figures: figures, progress: nil))[name] == 0, "a damaged total, not a trap")
    }

    @Test func withoutASourceOnlyTheAPIsOwnMetricsAreExported() {
        let exporter = MetricsExporter()
        exporter.recordQuery(outcome: "ok", duration: .milliseconds(7))
        let values = samples(exporter.render(figures: nil, progress: nil))
        #expect(values[MetricsExporter.prefix + "queries_total{outcome=\"ok\"}"] == 1)
        #expect(values[MetricsExporter.prefix + "query_duration_seconds_count"] == 1)
        #expect(!values.keys.contains { $0.contains("messages") || $0.contains("index_") })
    }
}
