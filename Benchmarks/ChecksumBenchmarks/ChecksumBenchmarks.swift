// Throughput of the checksum the write-ahead ring computes for every record on the MQTT thread
// and the checkpoint writer over whole files. One iteration checksums 1 MiB in pieces of the
// named size, each continuing the previous piece's checksum (as a record's payload continues
// its header's), so throughput reads as MiB/s and wall clock as the time per MiB.

import Benchmark
import Telemetry

/// Bytes one iteration checksums.
let bytesPerIteration = 1 << 20

/// Checksums `bytesPerIteration` bytes as `bytesPerIteration / piece.count` pieces, each
/// continuing the previous checksum, and returns the last one.
func checksumOneMiB(inPiecesOf piece: [UInt8]) -> UInt32 {
    piece.withUnsafeBytes { bytes in
        var crc: UInt32 = 0
        for _ in 0..<bytesPerIteration / bytes.count {
            crc = CRC32C.checksum(bytes, continuing: crc)
        }
        return crc
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    for (name, size) in [("64 B", 64), ("1 KiB", 1_024), ("1 MiB", 1 << 20)] {
        var generator = SystemRandomNumberGenerator()
        let piece = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        Benchmark("Checksum \(name) pieces") { _ in
            blackHole(checksumOneMiB(inPiecesOf: piece))
        }
    }
}
