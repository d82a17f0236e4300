import Prometheus
import Synchronization
import Telemetry
import TelemetryIndex

/// `/metrics`: the engine's latest snapshot (the numbers `status.json` is written from), the
/// index writer's progress and the API's own query counts, in Prometheus text format through
/// swift-prometheus. Counters follow the snapshot's totals: each scrape adds what the totals
/// grew since the last one. Names follow Prometheus conventions (`_total` for counters, base
/// units: seconds, bytes).
final class MetricsExporter: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let exported = Mutex<[String: Int64]>([:])
    private let counters: [String: Counter]
    private let quarantined: [QuarantineReason: Counter]
    private let gauges: [String: Gauge]
    private let queryDurations: DurationHistogram
    private let queryCounts: [String: Counter]

    static let prefix = "telemetry_gateway_"

    /// With `engine` false (`gateway serve`) only the API's own metrics are registered: the
    /// engine's would read as zeros.
    init(engine: Bool = true) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let prefix = Self.prefix
        func counter(_ name: String, _ help: String) -> (String, Counter) {
            (name, registry.makeCounter(name: prefix + name, help: help))
        }
        func gauge(_ name: String, _ help: String) -> (String, Gauge) {
            (name, registry.makeGauge(name: prefix + name, help: help))
        }
        counters = Dictionary(
            uniqueKeysWithValues: !engine
                ? []
                : [
                    counter("messages_received_total", "Messages the MQTT thread received into the write-ahead ring."),
                    counter("messages_ingested_total", "Messages the pipeline took from the ring and ingested."),
                    counter("readings_accepted_total", "Readings aggregated into windows."),
                    counter("seq_restarts_total", "Times a device restarted its sequence numbering."),
                    counter("redelivered_messages_total", "Messages without seq or ts delivered again by the broker."),
                    counter("retained_skipped_total", "Retained messages skipped."),
                    counter("rollups_written_total", "Rollup lines written."),
                    counter("back_pressure_nanoseconds_total", "Time the MQTT thread waited for ring space, in ns."),
                    counter("messages_truncated_total", "Messages larger than the ring's largest record."),
                    counter("index_records_total", "Rollup records written into the query index."),
                    counter("index_expired_rows_total", "Index rows deleted by rollup.retention."),
                ])
        quarantined = Dictionary(
            uniqueKeysWithValues: (engine ? QuarantineReason.allCases : []).map { reason in
                (
                    reason,
                    registry.makeCounter(
                        name: prefix + "quarantined_total", labels: [("reason", reason.rawValue)],
                        help: "Messages and readings quarantined, by reason.")
                )
            })
        gauges = Dictionary(
            uniqueKeysWithValues: !engine
                ? []
                : [
                    gauge("broker_connected", "1 while the MQTT connection is up."),
                    gauge("seq_missing", "Sequence numbers devices skipped, net of gaps filled later."),
                    gauge("windows_open", "Windows open now, all tiers."),
                    gauge("series", "Series kept in memory."),
                    gauge("ring_used_bytes", "Bytes of the write-ahead ring in use."),
                    gauge("ring_capacity_bytes", "Size of the write-ahead ring."),
                    gauge("storage_failing", "1 while writing the logs fails."),
                    gauge("storage_buffered_bytes", "Bytes held in memory while storage fails."),
                    gauge("close_delay_p99_seconds", "99th percentile of the gateway's own window close delay."),
                    gauge("index_lag_bytes", "Rollup log bytes not yet in the query index."),
                    gauge("snapshot_timestamp_seconds", "When the snapshot these values come from was taken."),
                ])
        queryDurations = registry.makeDurationHistogram(
            name: prefix + "query_duration_seconds",
            buckets: [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
            ],
            help: "Wall time of API queries.")
        queryCounts = Dictionary(
            uniqueKeysWithValues: ["ok", "bad_request", "unavailable", "rejected"].map { outcome in
                (
                    outcome,
                    registry.makeCounter(
                        name: prefix + "queries_total", labels: [("outcome", outcome)], help: "API queries by outcome.")
                )
            })
    }

    /// Counts one API query and its wall time.
    func recordQuery(outcome: String, duration: Duration) {
        queryCounts[outcome]?.increment()
        queryDurations.record(duration)
    }

    /// The exposition text for `snapshot` (nil: the engine's numbers are left out, as in
    /// `gateway serve`) and the index writer's `progress`.
    func render(snapshot: EngineSnapshot?, progress: IndexWriter.Progress?) -> [UInt8] {
        exported.withLock { exported in
            func advance(_ name: String, to total: Int64) {
                let delta = total - (exported[name] ?? 0)
                if delta > 0 { counters[name]?.increment(by: delta) }
                exported[name] = max(total, exported[name] ?? 0)
            }
            if let snapshot {
                let stats = snapshot.stats
                let connection = snapshot.connection
                advance("messages_received_total", to: Int64(clamping: connection.messagesReceived))
                advance("messages_ingested_total", to: Int64(stats.messages))
                advance("readings_accepted_total", to: Int64(stats.readingsAccepted))
                advance("seq_restarts_total", to: Int64(stats.seqRestarts))
                advance("redelivered_messages_total", to: Int64(stats.redeliveredMessages))
                advance("retained_skipped_total", to: Int64(stats.retainedSkipped))
                advance("rollups_written_total", to: Int64(stats.rollupsWritten))
                advance("back_pressure_nanoseconds_total", to: Int64(clamping: connection.backPressureNanos))
                advance("messages_truncated_total", to: Int64(clamping: connection.truncatedMessages))
                for reason in QuarantineReason.allCases {
                    let total = Int64(stats.quarantined[reason] ?? 0)
                    let key = "quarantined_total/" + reason.rawValue
                    let delta = total - (exported[key] ?? 0)
                    if delta > 0 { quarantined[reason]?.increment(by: delta) }
                    exported[key] = max(total, exported[key] ?? 0)
                }
                gauges["broker_connected"]?.set(Double(connection.isConnected ? 1 : 0))
                gauges["seq_missing"]?.set(Double(stats.seqMissing))
                gauges["windows_open"]?.set(Double(snapshot.openWindows))
                gauges["series"]?.set(Double(snapshot.series))
                gauges["ring_used_bytes"]?.set(Double(snapshot.ringUsedBytes))
                gauges["ring_capacity_bytes"]?.set(Double(snapshot.ringCapacityBytes))
                gauges["storage_failing"]?.set(Double(snapshot.storageFailing ? 1 : 0))
                gauges["storage_buffered_bytes"]?.set(Double(snapshot.storageBufferedBytes))
                gauges["close_delay_p99_seconds"]?.set(Double(snapshot.closeDelays.quantile(0.99) ?? 0) / 1000)
                gauges["snapshot_timestamp_seconds"]?.set(Double(snapshot.takenAtMillis) / 1000)
            }
            if let progress {
                advance("index_records_total", to: Int64(progress.records))
                advance("index_expired_rows_total", to: Int64(progress.expiredRows))
                gauges["index_lag_bytes"]?.set(Double(progress.lagBytes))
            }
            return registry.emitToBuffer()
        }
    }
}
