import Telemetry
import TelemetryIndex

/// Which metric each engine figure and index count is exported as: the one place that maps
/// `status.json`'s numbers to metric names (docs/http-api.md lists them).
extension MetricsExporter {
    /// One exported value: a metric's name (after `prefix`), its help, at most one label.
    struct Sample {
        enum Value {
            /// A counter that follows a total, exported as `total × unit` (`unit` turns
            /// nanoseconds into seconds).
            case counter(Int64, unit: Double)
            case gauge(Double)
        }

        var name: String
        var label: (name: String, value: String)?
        var help: String
        var value: Value

        init(_ name: String, _ help: String, label: (name: String, value: String)? = nil, _ value: Value) {
            self.name = name
            self.help = help
            self.label = label
            self.value = value
        }

        /// A counter of a count (no unit to convert).
        static func total(
            _ name: String, _ help: String, label: (name: String, value: String)? = nil, _ total: Int64
        ) -> Sample {
            Sample(name, help, label: label, .counter(total, unit: 1))
        }
    }

    /// The values of `figures` and `progress` (none for a nil source).
    static func samples(figures: EngineFigures?, progress: IndexWriter.Progress?) -> [Sample] {
        var samples: [Sample] = []
        if let figures { samples += engineSamples(figures) }
        if let progress {
            samples += [
                .total("index_records_total", "Rollup records written into the query index.", Int64(progress.records)),
                .total("index_expired_rows_total", "Index rows deleted by rollup.retention.", Int64(progress.expiredRows)),
                Sample("index_lag_bytes", "Rollup log bytes not yet in the query index.", .gauge(Double(progress.lagBytes))),
            ]
        }
        return samples
    }

    private static func engineSamples(_ figures: EngineFigures) -> [Sample] {
        var samples: [Sample] = [
            .total(
                "messages_received_total", "Messages the MQTT thread received into the write-ahead ring.",
                figures.messagesReceived),
            .total("messages_ingested_total", "Messages the pipeline took from the ring and ingested.", figures.messages),
            .total("readings_accepted_total", "Readings aggregated into windows.", figures.readingsAccepted),
            .total("seq_restarts_total", "Times a device restarted its sequence numbering.", figures.seqRestarts),
            .total(
                "redelivered_messages_total", "Messages without seq or ts delivered again by the broker.",
                figures.redeliveredMessages),
            .total("retained_skipped_total", "Retained messages skipped.", figures.retainedSkipped),
            .total(
                "sparkplug_rebirth_requests_total", "Sparkplug B rebirth requests sent to edge nodes.",
                figures.sparkplugRebirthRequests),
            .total(
                "sparkplug_commands_skipped_total", "Sparkplug B STATE and command messages skipped (no readings).",
                figures.sparkplugCommandsSkipped),
            .total("rollups_written_total", "Rollup lines written: windows closed.", figures.rollupsWritten),
            Sample(
                "back_pressure_seconds_total", "Time the MQTT thread waited for ring space.",
                .counter(figures.backPressureNanos, unit: 1e-9)),
            .total(
                "messages_truncated_total", "Messages larger than the ring's largest record.", figures.messagesTruncated),
            .total(
                "reconnects_total", "Connections to the broker made again after the first since the gateway started.",
                figures.reconnects),
        ]
        for (log, bytes) in [("rollups", figures.rollupBytesWritten), ("quarantine", figures.quarantineBytesWritten)] {
            samples.append(
                .total(
                    "bytes_written_total", "Bytes written to a log's files since the gateway started.",
                    label: ("log", log), bytes))
        }
        for reason in QuarantineReason.allCases {
            samples.append(
                .total(
                    "quarantined_total", "Messages and readings quarantined, by reason.", label: ("reason", reason.rawValue),
                    figures.quarantined[reason] ?? 0))
        }
        let gauges: [(String, String, Double)] = [
            ("broker_connected", "1 while the MQTT connection is up.", figures.brokerConnected ? 1 : 0),
            ("seq_missing", "Sequence numbers devices skipped, net of gaps filled later.", Double(figures.seqMissing)),
            ("windows_open", "Windows open now, all tiers.", Double(figures.openWindows)),
            ("series", "Series kept in memory.", Double(figures.series)),
            ("ring_used_bytes", "Bytes of the write-ahead ring in use.", Double(figures.ringUsedBytes)),
            ("ring_capacity_bytes", "Size of the write-ahead ring.", Double(figures.ringCapacityBytes)),
            (
                "ingest_lag_seconds", "Age of the oldest message in the ring not ingested yet; 0 when none waits.",
                Double(figures.ingestLagMillis) / 1000
            ),
            ("storage_failing", "1 while writing the logs fails.", figures.storageFailing ? 1 : 0),
            ("storage_buffered_bytes", "Bytes held in memory while storage fails.", Double(figures.storageBufferedBytes)),
            (
                "close_delay_p99_seconds", "99th percentile of the gateway's own window close delay.",
                Double(figures.closeDelayP99Millis ?? 0) / 1000
            ),
            (
                "snapshot_timestamp_seconds", "When the snapshot these values come from was taken.",
                Double(figures.takenAtMillis) / 1000
            ),
        ]
        samples += gauges.map { Sample($0.0, $0.1, .gauge($0.2)) }
        return samples
    }
}
