// swift-tools-version:6.1
// Benchmarks live in their own package so that building or testing the gateway never pays
// for package-benchmark and its dependencies. Run: `swift package benchmark` in this folder.
import PackageDescription

let package = Package(
    name: "telemetry-gateway-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "telemetry-gateway", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What more than one benchmark uses (a seeded generator).
        .target(name: "BenchmarkSupport", path: "BenchmarkSupport"),
        .executableTarget(
            name: "RingBenchmarks",
            dependencies: [
                .product(name: "Telemetry", package: "telemetry-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ChecksumBenchmarks",
            dependencies: [
                .product(name: "Telemetry", package: "telemetry-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ChecksumBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PipelineBenchmarks",
            dependencies: [
                .product(name: "Telemetry", package: "telemetry-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "PipelineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SketchBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Telemetry", package: "telemetry-gateway"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "SketchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "QueryIndexBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Telemetry", package: "telemetry-gateway"),
                .product(name: "TelemetryIndex", package: "telemetry-gateway"),
            ],
            path: "QueryIndexBenchmark"
        ),
    ],
    swiftLanguageModes: [.v6]
)
