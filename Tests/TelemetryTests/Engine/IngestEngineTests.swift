import Foundation
import Telemetry
import Testing

/// The whole engine without the executable: messages pushed into its ring, rollup lines and a
/// checkpoint out; a restart in the middle gives the same totals as one run.
@Suite("Ingest engine")
struct IngestEngineTests {
    static let catalogue = MetricCatalogue([
        MetricDefinition(name: "temperature_c", kind: .gauge, unit: "°C"),
        MetricDefinition(name: "energy_kwh", kind: .counter, unit: "kWh"),
    ])

    /// One message of the workload: device, receive time and payload.
    struct Message {
        var topic: [UInt8]
        var receivedAtNanos: Int64
        var payload: [UInt8]
    }

    /// Two devices, one message a second each for three minutes ending a minute ago: a gauge
    /// that follows a known formula and a counter that grows by 0.5 a message.
    static func workload(endingAtMillis end: Int64) -> [Message] {
        let start = end - 180_000
        var messages: [Message] = []
        for second in 0..<180 {
            for device in 1...2 {
                let ts = start + Int64(second) * 1_000
                let temperature = 20 + Double((second * 7 + device) % 13) / 4
                let energy = Double(device * 1_000) + Double(second) / 2
                let payload =
                    #"{"ts":\#(ts),"seq":\#(second + 1),"values":{"temperature_c":\#(temperature),"energy_kwh":\#(energy)}}"#
                messages.append(
                    Message(
                        topic: Array("iiot/yen-my/f01/env-000\(device)/telemetry".utf8),
                        receivedAtNanos: (ts + 20) * 1_000_000, payload: Array(payload.utf8)))
            }
        }
        return messages
    }

    /// A fresh data directory, removed at the end.
    final class DataDirectory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)").path
        deinit { try? FileManager.default.removeItem(atPath: path) }

        var configuration: EngineConfiguration {
            get throws {
                EngineConfiguration(
                    dataDirectory: path,
                    pipeline: PipelineSettings(topicPattern: try TopicPattern(TopicPattern.defaultPattern)),
                    catalogue: IngestEngineTests.catalogue, ringBytes: 1 << 20,
                    rollupLog: LogPolicy(fsync: .never), quarantineLog: LogPolicy(fsync: .never))
            }
        }

        /// Opens the engine on this directory, pushes `messages` into its ring, runs it until
        /// the ring is drained and stops it gracefully; returns what it reported.
        @discardableResult
        func run(_ messages: some Sequence<Message>) throws -> RecordingObserver {
            let observer = RecordingObserver()
            let engine = try IngestEngine.open(configuration, observer: observer)
            for message in messages {
                let pushed = message.topic.withUnsafeBytes { topic in
                    message.payload.withUnsafeBytes {
                        engine.ring.tryPush(topic: topic, payload: $0, receivedAtNanos: message.receivedAtNanos)
                    }
                }
                #expect(pushed)
            }
            try engine.start()
            engine.requestStop()
            engine.waitUntilStopped()
            return observer
        }

        /// Every rollup line written, parsed.
        func rollups() throws -> [[String: Any]] {
            let directory = path + "/rollups"
            var records: [[String: Any]] = []
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
                let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                    records.append(try #require(object as? [String: Any]))
                }
            }
            return records
        }

        /// Per tier, window, device and metric: readings, their sum, and the counter's increase,
        /// merging the partial lines a restart writes for one window.
        func totals() throws -> [String: [Double]] {
            var totals: [String: [Double]] = [:]
            for record in try rollups() {
                let fields: [String] = ["tier", "start", "device", "metric"].map { (record[$0] as? String) ?? "-" }
                let key = fields.joined(separator: " ")
                let values: [Double] = ["count", "sum", "increase"].map { (record[$0] as? NSNumber)?.doubleValue ?? 0 }
                totals[key] = zip(totals[key] ?? [0, 0, 0], values).map { $0 + $1 }
            }
            return totals
        }
    }

    @Test func oneRunCountsEveryReadingOnceAndLeavesACheckpointThatFreesTheRing() throws {
        let messages = Self.workload(endingAtMillis: WallClock.millis() - 60_000)
        let directory = DataDirectory()
        let observer = try directory.run(messages)

        let final = try #require(observer.lastSnapshot)
        #expect(final.stopped)
        #expect(final.stats.messages == 360)
        #expect(final.stats.readingsAccepted == 720)
        #expect(final.stats.quarantinedTotal == 0)
        #expect(final.openWindows == 0)
        #expect(final.ringUsedBytes == 0)
        #expect(!observer.events.contains { $0.hasPrefix("error") || $0.hasPrefix("warning") })

        // Each tier's lines count all 360 readings of each metric; the 10 s windows of
        // device 1's gauge sum to the formula's total.
        let records = try directory.rollups()
        for tier in ["10s", "1m", "1h"] {
            for metric in ["temperature_c", "energy_kwh"] {
                let count = records.filter { $0["tier"] as? String == tier && $0["metric"] as? String == metric }
                    .reduce(0) { $0 + ((($1["count"]) as? Int) ?? 0) }
                #expect(count == 360, "\(tier) \(metric)")
            }
        }
        var expectedSum = 0.0
        for second in 0..<180 { expectedSum += 20 + Double((second * 7 + 1) % 13) / 4 }
        var sum = 0.0
        for record in records
        where record["tier"] as? String == "10s" && record["metric"] as? String == "temperature_c"
            && record["device"] as? String == "env-0001"
        {
            sum += (record["sum"] as? NSNumber)?.doubleValue ?? .nan
        }
        #expect(abs(sum - expectedSum) < 1e-9)

        let checkpoint = try #require(try IngestRecovery(dataDirectory: directory.path).loadCheckpoint())
        #expect(checkpoint.checkpoint.rollupLog.currentBytes > 0)
    }

    @Test func aRestartInTheMiddleGivesTheSameTotalsAsOneRun() throws {
        let messages = Self.workload(endingAtMillis: WallClock.millis() - 60_000)
        let whole = DataDirectory()
        try whole.run(messages)
        let restarted = DataDirectory()
        try restarted.run(messages[..<170])
        let second = try restarted.run(messages[170...])

        // The restart restored the first run's state: its totals go on from there.
        let final = try #require(second.lastSnapshot)
        #expect(final.stats.messages == 360)
        #expect(final.stats.readingsAccepted == 720)
        #expect(final.stats.seqMissing == 0)
        #expect(second.events.contains { $0.hasPrefix("notice: recovery: restored the checkpoint") })
        let expected = try whole.totals()
        #expect(expected.count > 0)
        #expect(try restarted.totals() == expected)
    }
}
