import Prometheus
import Synchronization
import TelemetryIndex

/// `/metrics`: the engine's figures (the numbers `status.json` is written from, or in `gateway
/// serve` read back from it), the index writer's progress and the API's own query counts, in
/// Prometheus text format through swift-prometheus. Names follow Prometheus conventions
/// (`_total` for counters, base units: seconds, bytes); docs/http-api.md lists them.
///
/// Counters follow their source's totals: each scrape adds what a total grew since the last one,
/// and a total that went down (the gateway restarted beside `gateway serve`) restarts its
/// counter from that total, which Prometheus reads as a counter reset. An engine or index metric
/// appears from the first scrape that has its source, so a server without one shows none
/// rather than zeros.
final class MetricsExporter: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let collectors = Mutex(Collectors())
    private let queryDurations: DurationHistogram
    private let queryCounts: [String: Counter]

    static let prefix = "telemetry_gateway_"

    /// The engine and index collectors made so far, by name and label, and the totals their
    /// counters were advanced to.
    private struct Collectors {
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
        var exported: [String: Int64] = [:]
    }

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        queryDurations = registry.makeDurationHistogram(
            descriptor: Self.descriptor("query_duration_seconds", "Wall time of API queries."),
            buckets: [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
            ])
        queryCounts = Dictionary(
            uniqueKeysWithValues: ["ok", "bad_request", "unavailable", "rejected"].map { outcome in
                (
                    outcome,
                    registry.makeCounter(
                        descriptor: Self.descriptor("queries_total", "API queries by outcome."),
                        labels: [("outcome", outcome)])
                )
            })
    }

    /// Counts one API query and its wall time.
    func recordQuery(outcome: String, duration: Duration) {
        queryCounts[outcome]?.increment()
        queryDurations.record(duration)
    }

    /// The exposition text for the engine's `figures` and the index writer's `progress` (each
    /// nil when the server has none).
    func render(figures: EngineFigures?, progress: IndexWriter.Progress?) -> [UInt8] {
        collectors.withLock { collectors in
            for sample in Self.samples(figures: figures, progress: progress) {
                let key = sample.name + (sample.label.map { "{\($0.name)=\($0.value)}" } ?? "")
                let labels = sample.label.map { [($0.name, $0.value)] } ?? []
                let descriptor = Self.descriptor(sample.name, sample.help)
                switch sample.value {
                case .gauge(let value):
                    let gauge = collectors.gauges[key] ?? registry.makeGauge(descriptor: descriptor, labels: labels)
                    collectors.gauges[key] = gauge
                    gauge.set(value)
                case .counter(let total, let unit):
                    let counter = collectors.counters[key] ?? registry.makeCounter(descriptor: descriptor, labels: labels)
                    collectors.counters[key] = counter
                    // Never below zero, whatever a damaged status.json says.
                    let total = max(0, total)
                    var delta = total - (collectors.exported[key] ?? 0)
                    if delta < 0 {
                        counter.reset()
                        delta = total
                    }
                    if delta > 0 {
                        if unit == 1 { counter.increment(by: delta) } else { counter.increment(by: Double(delta) * unit) }
                    }
                    collectors.exported[key] = total
                }
            }
            return registry.emitToBuffer()
        }
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: prefix + name, unitName: "", helpText: help)
    }
}
