import BenchmarkSupport
import Foundation
import Telemetry
import TelemetryIndex

/// Query latency on a park-sized index (10,000 series), at two sizes, so that the cost of a
/// query can be compared with the size of the store.
///
///     swift run -c release QueryIndexBenchmark generate PATH --minute-days 1
///     swift run -c release QueryIndexBenchmark measure PATH [--runs 200] [--shape 1|2|3]
///
/// `generate` fills an index the way the gateway's index writer does (one transaction per
/// window end, every series), without a log. `measure` runs the three query shapes of the
/// pilots, each on a randomly chosen device or site, and prints p50, p99 and max of the wall
/// time and the CPU time of the query and its JSON rendering, in this process (no HTTP).
/// `--shape` runs one of them alone, for a profiler.
@main
struct QueryIndexBenchmark {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2 else {
            print("usage: QueryIndexBenchmark generate PATH --minute-days N | measure PATH [--runs N] [--shape 1|2|3]")
            exit(2)
        }
        let path = arguments[1]
        switch arguments[0] {
        case "generate":
            try generate(path: path, minuteDays: option("--minute-days", in: arguments) ?? 1)
        case "measure":
            try measure(path: path, runs: option("--runs", in: arguments) ?? 200, shape: option("--shape", in: arguments))
        default:
            print("unknown command \(arguments[0]): generate or measure")
            exit(2)
        }
    }

    static func option(_ name: String, in arguments: [String]) -> Int? {
        guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
        return Int(arguments[at + 1])
    }

    static func generate(path: String, minuteDays: Int) throws {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        let park = SyntheticPark(minuteDays: minuteDays)
        let index = try RollupIndex.openForWriting(path: path, cacheKiB: 262_144)
        var appender = try IndexAppender(index: index)
        let began = ContinuousClock.now
        var written = 0
        var lineNumber: Int64 = 0
        var pending: [(series: Int, origin: LogCursor, record: RollupRecord)] = []
        pending.reserveCapacity(transactionRecords + park.series.count * 3)
        func flush() throws {
            // In key order, so that consecutive inserts land on the same pages: the rows and the
            // transaction are the writer's, only SQLite's work per row is less.
            pending.sort {
                ($0.series, $0.record.tierMillis, $0.record.startMillis)
                    < ($1.series, $1.record.tierMillis, $1.record.startMillis)
            }
            try appender.append(pending.map { ($0.origin, $0.record) }, end: cursor(line: lineNumber), lastLine: nil)
            written += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        try park.forEachBatch { batch in
            for (series, record) in batch {
                pending.append((series, cursor(line: lineNumber), record))
                lineNumber += 1
            }
            if pending.count >= transactionRecords { try flush() }
        }
        try flush()
        let seconds = (ContinuousClock.now - began).inSeconds
        try index.close()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(
            "generated \(path): \(park.series.count) series, 1m for \(minuteDays) d, 1h for 7 d, 10s for 6 h; "
                + "\(written) windows in \(format(seconds)) s = \(written / max(1, Int(seconds))) windows/s; "
                + "\(bytes / 1_048_576) MiB, \(bytes / max(1, written)) B per window")
    }

    /// Records per transaction, as the index writer's batches are when it catches up after a
    /// pause: with one window end per transaction, time-ordered inserts dirty a page per series
    /// each time and the disk, not SQLite, sets the pace.
    static let transactionRecords = 500_000

    /// Lines as if each were 160 bytes long, a million to a segment.
    static func cursor(line: Int64) -> LogCursor {
        LogCursor(segment: Int(1 + line / 1_000_000), offset: line % 1_000_000 * 160)
    }

    static func measure(path: String, runs: Int, shape only: Int?) throws {
        let index = try RollupIndex.openForReading(path: path, cacheKiB: 16_384)
        let end = SyntheticPark.endMillis
        var random = SplitMix64(seed: 42)
        let shapes: [(name: String, run: (inout SplitMix64) throws -> Int)] = [
            (
                "one series, 1 day at 1m",
                { random in
                    let device = SyntheticPark.deviceName(
                        site: Int(random.next() % 20), machine: 1 + Int(random.next() % 50))
                    let request = try QueryRequest.parse(
                        [
                            ("device", device), ("metric", "vibration_mm_s"), ("step", "1m"), ("agg", "mean,max"),
                            ("from", "-1d"), ("to", "now"),
                        ], nowMillis: end)
                    return try index.query(request).json().count
                }
            ),
            (
                "one site grouped, 7 days at 1h",
                { random in
                    let site = SyntheticPark.sites[Int(random.next() % 20)]
                    let request = try QueryRequest.parse(
                        [
                            ("site", site), ("group_by", "site"), ("step", "1h"), ("agg", "mean,max"), ("from", "-7d"),
                            ("to", "now"),
                        ], nowMillis: end)
                    return try index.query(request).json().count
                }
            ),
            (
                "all devices of a park, last value",
                { _ in
                    try index.series(park: NameFilter.parse(SyntheticPark.park, parameter: "park")).count
                }
            ),
        ]
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("\(path): \(bytes / 1_048_576) MiB, \(runs) runs per query after 10 warm-up runs")
        for (number, shape) in zip(1..., shapes) where only == nil || only == number {
            for _ in 0..<10 { _ = try shape.run(&random) }
            var times: [Double] = []
            var cpuTimes: [Double] = []
            var size = 0
            for _ in 0..<runs {
                let began = ContinuousClock.now
                let cpuBegan = threadCPUMillis()
                size = try shape.run(&random)
                cpuTimes.append(threadCPUMillis() - cpuBegan)
                times.append((ContinuousClock.now - began).inSeconds * 1_000)
            }
            print(
                "  \(shape.name.padding(toLength: 36, withPad: " ", startingAt: 0)) wall \(percentiles(times))  "
                    + "CPU \(percentiles(cpuTimes))  (\(size) bytes or series)")
        }
    }

    /// p50, p99 and max, in ms. p99 is the value at rank ⌈0.99·n⌉ of the sorted times.
    static func percentiles(_ values: [Double]) -> String {
        let sorted = values.sorted()
        guard let last = sorted.last else { return "-" }
        let p99 = sorted[max(0, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        return "p50 \(format(sorted[sorted.count / 2])) p99 \(format(p99)) max \(format(last)) ms"
    }

    /// CPU time of this thread, in ms: on a machine shared with other work it is what a query
    /// costs, where wall time also counts the time others held the cores.
    static func threadCPUMillis() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1_000 + Double(time.tv_nsec) / 1_000_000
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
