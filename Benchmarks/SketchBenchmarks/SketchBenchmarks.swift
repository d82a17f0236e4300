// The quantile sketch (issue 13) at the scale it will run at: one per gauge series and window,
// 100,000 series. Measures the insert cost per value, the cost of a whole small window (new
// sketch, 6 readings, encoding), merging finer windows into a coarser one, decoding, and the
// memory and encoded bytes per series-window.

import Benchmark
import BenchmarkSupport
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

extension SplitMix64 {
    /// N(0, 1) by Box–Muller.
    mutating func standardNormal() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A power gauge's readings (kW, two decimals): around 300 with load swings and noise, the
/// shape of the simulator's `power_kw`.
func powerReadings(_ count: Int, seed: UInt64) -> [Double] {
    var random = SplitMix64(seed: seed)
    var level = 300.0
    return (0..<count).map { _ in
        level += 2 * random.standardNormal()
        return ((level + 15 * random.standardNormal()) * 100).rounded() / 100
    }
}

/// Log-normal values spread over about 8 decades: many bins in use.
func spreadValues(_ count: Int, seed: UInt64) -> [Double] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in exp(3 * random.standardNormal()) }
}

/// A sketch of `values` (α 1 %, 2048 bins).
func sketch(of values: [Double]) -> QuantileSketch {
    var sketch = QuantileSketch()
    for value in values { try? sketch.add(value) }
    return sketch
}

/// Resident bytes of this process (`VmRSS`).
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("VmRSS:") else { continue }
        return (Int(text.dropFirst(6).filter(\.isNumber)) ?? 0) * 1_024
    }
    return 0
}

let bytesPerSketch = BenchmarkMetric.custom("Resident bytes per 6-reading sketch", useScalingFactor: false)
let encoded6 = BenchmarkMetric.custom("Encoded bytes, 6 readings (median)", useScalingFactor: false)
let encoded60 = BenchmarkMetric.custom("Encoded bytes, 60 readings (median)", useScalingFactor: false)
let encoded360 = BenchmarkMetric.custom("Encoded bytes, 360 readings (median)", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 2, scalingFactor: .mega, maxDuration: .seconds(3), maxIterations: 1_000)

    // One iteration adds 1,000,000 values to one sketch: throughput is values per second.
    for (name, values) in [
        ("power gauge", powerReadings(1 << 16, seed: 1)), ("log-normal, 8 decades", spreadValues(1 << 16, seed: 2)),
    ] {
        Benchmark("Sketch/add per value, \(name)") { benchmark in
            var sketch = QuantileSketch()
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                try? sketch.add(values[index & (values.count - 1)])
            }
            benchmark.stopMeasurement()
            blackHole(sketch.count)
        }
    }

    // A 10 s window of a series: a new sketch, 6 readings, its encoding for the record.
    // One iteration is 1,000 windows: throughput is windows per second, malloc per window.
    let windows = (0..<1_000).map { powerReadings(6, seed: UInt64($0)) }
    var windowConfiguration = Benchmark.defaultConfiguration
    windowConfiguration.scalingFactor = .kilo
    Benchmark("Sketch/6-reading window: new sketch, 6 adds, encode", configuration: windowConfiguration) { benchmark in
        var bytes = 0
        for index in benchmark.scaledIterations {
            bytes += sketch(of: windows[index % windows.count]).encoded().count
        }
        blackHole(bytes)
    }

    // A coarser window built from finer ones: six 6-reading sketches merged into one.
    let tens = (0..<6).map { sketch(of: powerReadings(6, seed: 100 + UInt64($0))) }
    Benchmark("Sketch/merge six 6-reading windows into one", configuration: windowConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            var minute = QuantileSketch()
            for ten in tens { try? minute.merge(ten) }
            blackHole(minute.count)
        }
    }

    let encoded = sketch(of: powerReadings(60, seed: 7)).encoded()
    Benchmark("Sketch/decode a 60-reading window", configuration: windowConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole((try? QuantileSketch(encoded: encoded))?.count)
        }
    }

    // Memory: the resident set's growth when 100,000 series-windows of 6 readings are built and
    // held (each sketch's share of the array holding them, and its bins), taken once, on the
    // first call, before freed memory can be reused; and the median encoded size of windows of
    // 6, 60 and 360 readings.
    var sizeConfiguration = Benchmark.defaultConfiguration
    sizeConfiguration.scalingFactor = .one
    sizeConfiguration.metrics = [.wallClock, bytesPerSketch, encoded6, encoded60, encoded360]
    sizeConfiguration.maxIterations = 3
    var residentPerSketch: Int?
    Benchmark("Sketch/100000 series-windows: memory and encoded bytes", configuration: sizeConfiguration) { benchmark in
        let before = residentBytes()
        let held = (0..<100_000).map { sketch(of: windows[$0 % windows.count]) }
        let perSketch = residentPerSketch ?? (residentBytes() - before) / held.count
        residentPerSketch = perSketch
        benchmark.measurement(bytesPerSketch, perSketch)
        for (metric, readings) in [(encoded6, 6), (encoded60, 60), (encoded360, 360)] {
            var sizes = (0..<101).map { sketch(of: powerReadings(readings, seed: UInt64($0))).encoded().count }
            sizes.sort()
            benchmark.measurement(metric, sizes[50])
        }
        blackHole(held.count)
    }
}
