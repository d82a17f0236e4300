// Each format's payload reader alone (`PayloadReader`, SPI `Benchmarks`): the same readings as
// JSON `{"ts":…,"values":{…}}`, one line of InfluxDB line protocol, and Sparkplug B NDATA by
// alias with a timestamp per metric (`MessageSet`). One iteration reads 1,000 messages;
// throughput × readings per message = readings/s of the reader. What it leaves out is what
// every format then shares: validation, name and alias resolution, aggregation.

import Benchmark

@_spi(Benchmarks) import Telemetry

/// Registers one benchmark per format for `mix` on `devices` devices.
func decoderBenchmarks(devices: Int, mix: MetricMix, name: String) {
    let formats: [(String, PayloadReader.Format, (Int, MetricMix, Int) -> MessageSet)] = [
        ("JSON", .json, { MessageSet(devices: $0, mix: $1, count: $2) }),
        ("line protocol", .lineProtocol, { MessageSet(lineProtocolOf: $0, mix: $1, count: $2) }),
        ("Sparkplug B", .sparkplugB, { MessageSet(sparkplugOf: $0, mix: $1, count: $2) }),
    ]
    for (formatName, format, build) in formats {
        var messages: MessageSet?
        var reader = PayloadReader(format: format)
        Benchmark("Decode/\(name), \(formatName)") { benchmark in
            if messages == nil {
                var built = build(devices, mix, 1_000)
                for index in built.payloads.indices { built.stamp(index, millis: 1_763_712_000_000, seq: 1) }
                messages = built
            }
            guard let messages else { return }
            var readings = 0
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                messages.payloads[iteration % messages.payloads.count].withUnsafeBytes {
                    readings &+= reader.readings(in: $0) ?? 0
                }
            }
            benchmark.stopMeasurement()
            blackHole(readings)
        }
    }
}
