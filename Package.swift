// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "telemetry-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["Gateway"]),
        .executable(name: "sensors-sim", targets: ["SensorsSim"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "TelemetryIndex", targets: ["TelemetryIndex"]),
        .library(name: "SparkplugB", targets: ["SparkplugB"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        // CRC-32C with the CPU's CRC instruction, which Swift cannot reach (Sources/CCRC32C/ccrc32c.c).
        .target(name: "CCRC32C"),
        // A read buffer under libmosquitto for the MQTT socket, by interposing read(2)
        // (Sources/CMQTTReadBuffer/mqtt_read_buffer.c).
        .target(name: "CMQTTReadBuffer"),
        .target(
            name: "Telemetry",
            dependencies: ["CCRC32C", .product(name: "Atomics", package: "swift-atomics")]
        ),
        // The query index: a SQLite file derived from the rollup log, and the queries over it.
        // Apart from Telemetry so that the data path (and its fuzzers) link no database.
        .target(
            name: "TelemetryIndex",
            dependencies: [
                "Telemetry", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the progress handler that ends a query at its deadline.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Sparkplug B payloads (protobuf) and topics. Apart from Telemetry so that Telemetry, whose objects
        // the fuzz build links by hand, needs no SwiftProtobuf. Generated/ is written by scripts/generate-protobuf
        // from Proto/sparkplug_b.proto (no build plugin: it would cost minutes on every clean build).
        .target(
            name: "SparkplugB",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/sparkplug_b.proto"]
        ),
        .executableTarget(
            name: "Gateway",
            dependencies: [
                "Telemetry",
                "TelemetryIndex",
                "SparkplugB",
                "CMosquitto",
                "CMQTTReadBuffer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "SensorsSim",
            dependencies: [
                "CMosquitto",
                "SparkplugB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "sensors-sim",
            exclude: ["README.md"]
        ),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "CCRC32C", "SparkplugB"]),
        .testTarget(
            name: "TelemetryIndexTests",
            dependencies: ["TelemetryIndex", "Telemetry", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "GatewayTests", dependencies: ["Gateway", "Telemetry", "TelemetryIndex", "SparkplugB", "CMQTTReadBuffer"]
        ),
        .testTarget(name: "SensorsSimTests", dependencies: ["SensorsSim", "SparkplugB"]),
        .testTarget(name: "SparkplugBTests", dependencies: ["SparkplugB"], exclude: ["Fixtures"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Telemetry", "SparkplugB", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
