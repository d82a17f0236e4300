import ArgumentParser
import Foundation

/// `sensors-sim`: publishes realistic readings from simulated Vietnamese industrial parks over
/// MQTT, with chosen faults, and writes a ledger of exactly what it published.
@main
struct SensorsSim: ParsableCommand {
    /// Command name, abstract and discussion shown by `--help`.
    static let configuration = CommandConfiguration(
        commandName: "sensors-sim",
        abstract: "Publish simulated IIoT telemetry over MQTT, with fault injection and a ledger of what was sent.",
        discussion: """
            Devices (env-NNNN, mch-NNNN, utl-NNNN) are laid out round-robin over the parks \
            hoa-lac-hitech, thang-long-ii, pho-noi-a, yen-my, yen-my-ii, dinh-vu and sites f01-f04, \
            and publish in turn to <prefix>/<park>/<site>/<device>/telemetry (JSON), \
            <prefix>/<park>/<site>/line (--format line) or, as Sparkplug B edge nodes (group = park, \
            edge node = site), spBv1.0/<park>/DDATA/<site>/<device> (--format sparkplug). Fleet, shapes, fault \
            placement and seq follow from --seed; values also follow the clock. SIGINT/SIGTERM stop publishing, wait for \
            acknowledgements, close the ledger and exit 0. The MQTT password is read from \
            the environment variable SIM_MQTT_PASSWORD.
            """
    )

    @Option(help: "Broker host.")
    var host = "127.0.0.1"

    @Option(help: "Broker port.")
    var port = 1883

    @Option(
        name: .customLong("client-id"),
        help: "MQTT client id (default sensors-sim-<pid>; with several connections, -<k> is appended).")
    var clientID: String?

    @Option(name: .customLong("mqtt-version"), help: "MQTT version: 3.1.1 or 5.")
    var mqttVersion = MQTTPublisher.ProtocolVersion.v5

    @Option(help: "Publish QoS: 0, 1 or 2.")
    var qos = 1

    @Option(help: "MQTT user name (password from SIM_MQTT_PASSWORD).")
    var username: String?

    @Option(help: "CA certificate file; turns TLS on.")
    var cafile: String?

    @Option(help: "Client certificate file for TLS (with --key).")
    var cert: String?

    @Option(help: "Client private key file for TLS (with --cert).")
    var key: String?

    @Flag(help: "Do not check that the broker's certificate matches --host.")
    var insecure = false

    @Option(help: "Seed for the fleet, the values, the shapes and the fault placement.")
    var seed: UInt64 = 1

    @Option(help: "Number of simulated devices.")
    var devices = 60

    @Option(
        name: .customLong("first-device"), help: "Index of the first device, so that several simulators can share out one fleet.")
    var firstDevice = 0

    @Option(help: "Total messages per second; 0 = as fast as possible.")
    var rate = 200.0

    @Option(help: "Stop after this many messages (exclusive with --duration).")
    var count: Int?

    @Option(help: "Stop after this long, e.g. 30s, 500ms, 2m, 1h (exclusive with --count).")
    var duration: SimDuration?

    @Option(
        help: "MQTT connections; device i always publishes on connection i % N (Sparkplug B: edge node k on connection k % N).")
    var connections = 1

    @Option(name: .customLong("topic-prefix"), help: "First topic segment (not with --format sparkplug: spBv1.0).")
    var topicPrefix = "iiot"

    @Option(help: "Payload shapes to choose from per message, comma-separated: plain, ts, array, batch.")
    var shapes = "plain,ts,array"

    @Option(
        help:
            "Wire format: json (the shapes above, on <prefix>/<park>/<site>/<device>/telemetry), line (InfluxDB line protocol, one line per shape entry, on <prefix>/<park>/<site>/line with a device tag and millisecond timestamps; implies --no-seq) or sparkplug (Sparkplug B 3.0.0: each site an edge node of its park's group, births, DDATA by alias with a seq per edge node, deaths at the end; answers rebirth requests)."
    )
    var format = WireFormat.json

    @Option(
        name: .customLong("edge-node-suffix"),
        help:
            "With --format sparkplug: appended to the site to make each edge node id, so that simulators sharing out one fleet (--first-device) run edge nodes of their own."
    )
    var edgeNodeSuffix = ""

    @Flag(
        name: .customLong("no-seq"),
        help: "Leave the per-device sequence number out of payloads (--fault-duplicate then needs timestamped shapes only).")
    var noSeq = false

    @Option(name: .customLong("seq-start"), help: "First sequence number of every device.")
    var seqStart: UInt64 = 1

    @Option(
        name: .customLong("readings-per-message"),
        help:
            "Readings per message; 0 = every metric of the device's kind, N = the next N of a rotating selection (at most the kind's metrics, except in the batch shape, which carries exactly N over several samples)."
    )
    var readingsPerMessage = 0

    @Option(name: .customLong("fault-malformed"), help: "Percent of messages with a malformed payload.")
    var faultMalformed = 0.0

    @Option(name: .customLong("fault-out-of-range"), help: "Percent of messages with one reading out of its range.")
    var faultOutOfRange = 0.0

    @Option(name: .customLong("fault-unknown-metric"), help: "Percent of messages with one extra reading of an unknown metric.")
    var faultUnknownMetric = 0.0

    @Option(name: .customLong("fault-wrong-type"), help: "Percent of messages with one reading of the wrong JSON type.")
    var faultWrongType = 0.0

    @Option(
        name: .customLong("fault-duplicate"),
        help:
            "Percent of messages that re-send the device's previous message byte for byte: duplicate_seq, or duplicate_payload with --no-seq (then only with ts, array or batch shapes)."
    )
    var faultDuplicate = 0.0

    @Option(name: .customLong("fault-late"), help: "Percent of messages with every timestamp 10 minutes in the past.")
    var faultLate = 0.0

    @Option(name: .customLong("fault-future"), help: "Percent of messages with every timestamp 1 hour in the future.")
    var faultFuture = 0.0

    @Option(help: "Write a JSON Lines ledger of every published message to this file.")
    var ledger: String?

    @Option(name: .customLong("drain-timeout"), help: "How long to wait for outstanding acknowledgements at the end.")
    var drainTimeout = SimDuration(seconds: 5)

    /// Largest `--readings-per-message`: the gateway's default `ingest.max_readings_per_message`.
    static let maxReadingsPerMessage = 1000

    /// Whether repeats carry no `seq`: `--no-seq`, or line protocol, which has none. (Sparkplug B
    /// always has its edge node's seq, and refuses `--no-seq`.)
    var withoutSeq: Bool { noSeq || format == .line }

    /// The number of edge nodes of a Sparkplug B run: one per park and site its devices are in,
    /// which 24 consecutive devices cover (device `i` is at park `i % 6`, site `(i / 6) % 4`).
    var edgeNodeCount: Int { min(devices, Fleet.parks.count * Fleet.sites.count) }

    /// Percentages by fault, as given on the command line. `--fault-duplicate` sets
    /// `duplicate_seq`, or `duplicate_payload` without seq.
    var faultPercentages: [Fault: Double] {
        [
            .malformedPayload: faultMalformed, .outOfRange: faultOutOfRange, .unknownMetric: faultUnknownMetric,
            .wrongType: faultWrongType, .duplicateSeq: withoutSeq ? 0 : faultDuplicate,
            .duplicatePayload: withoutSeq ? faultDuplicate : 0,
            .tooLate: faultLate, .futureTimestamp: faultFuture,
        ]
    }

    /// Parses `--shapes`: known names, comma-separated, duplicates ignored, at least one.
    static func parseShapes(_ list: String) throws(SimError) -> [PayloadShape] {
        var shapes: [PayloadShape] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let shape = PayloadShape(rawValue: trimmed) else {
                throw SimError("--shapes \(list): unknown shape '\(trimmed)', expected plain, ts, array or batch")
            }
            if !shapes.contains(shape) { shapes.append(shape) }
        }
        return shapes
    }

    /// Checks option values and combinations; every message names the option and the value.
    func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw ValidationError(message()) }
        }
        try require((1...65535).contains(port), "--port \(port): expected 1 to 65535")
        try require((0...2).contains(qos), "--qos \(qos): expected 0, 1 or 2")
        try require((1...1_000_000).contains(devices), "--devices \(devices): expected 1 to 1000000")
        try require(
            (0...(10_000_000 - devices)).contains(firstDevice),
            "--first-device \(firstDevice): expected 0 to \(10_000_000 - devices) (device indices end below 10000000)")
        try require(
            rate.isFinite && rate >= 0, "--rate \(rate): expected messages per second, 0 or more (0 = as fast as possible)")
        try require(
            count == nil || duration == nil,
            "--count and --duration are exclusive: give one of them, or neither to run until SIGINT")
        if let count { try require(count >= 1, "--count \(count): expected 1 or more") }
        if let duration { try require(duration.seconds > 0, "--duration \(duration): expected a positive length such as 30s") }
        try require(
            (1...devices).contains(connections),
            "--connections \(connections): expected 1 to --devices (\(devices)); each connection needs a device")
        try require(
            (0...Self.maxReadingsPerMessage).contains(readingsPerMessage),
            "--readings-per-message \(readingsPerMessage): expected 0 (all metrics) to \(Self.maxReadingsPerMessage)")
        try require(
            !topicPrefix.isEmpty && !topicPrefix.contains("+") && !topicPrefix.contains("#"),
            "--topic-prefix '\(topicPrefix)': expected a non-empty topic without + or #")
        try require(
            !edgeNodeSuffix.contains(where: { "+#/".contains($0) }),
            "--edge-node-suffix '\(edgeNodeSuffix)': expected text without +, # or / (it is part of a topic level)")
        try require(
            edgeNodeSuffix.isEmpty || format == .sparkplug, "--edge-node-suffix only applies to --format sparkplug")
        if format == .sparkplug {
            try require(
                !noSeq,
                "--no-seq: Sparkplug B messages always carry their edge node's seq; drop --no-seq or choose another --format")
            try require(
                connections <= edgeNodeCount,
                "--connections \(connections): with --format sparkplug expected 1 to \(edgeNodeCount), the number of edge nodes (each edge node's messages go on one connection, in seq order)"
            )
        }
        do {
            let shapes = try Self.parseShapes(shapes)
            _ = try FaultPlan(percentages: faultPercentages)
            try require(
                !(withoutSeq && faultDuplicate > 0 && shapes.contains(.plain)),
                "--fault-duplicate \(faultDuplicate) \(noSeq ? "with --no-seq" : "with --format line (no seq)") needs timestamped shapes: the gateway counts a repeated plain payload (no seq, no ts) as a new reading; remove plain from --shapes \(self.shapes)\(noSeq ? " or drop --no-seq" : "")"
            )
            try require(
                shapes.contains(where: \.isTimestamped) || (faultLate == 0 && faultFuture == 0),
                "--fault-late/--fault-future need a timestamped shape: add ts or array to --shapes \(self.shapes)")
        } catch let error as SimError {
            throw ValidationError(error.message)
        }
        try require(cert == nil || cafile != nil, "--cert \(cert ?? ""): TLS needs --cafile as well")
        try require((cert == nil) == (key == nil), "--cert and --key go together: give both or neither")
        try require(!insecure || cafile != nil, "--insecure only applies to TLS: give --cafile as well")
        let password = ProcessInfo.processInfo.environment["SIM_MQTT_PASSWORD"]
        try require(
            password == nil || username != nil,
            "SIM_MQTT_PASSWORD is set but --username is not: the password is only sent with a user name")
    }

    /// Connects, publishes until a limit or a signal, prints the summary to stderr. Exits 1 when
    /// the connection fails or messages of a completed run stay unacknowledged.
    func run() throws {
        let shapes = try Self.parseShapes(shapes)
        let plan = try FaultPlan(percentages: faultPercentages, blockSize: count ?? FaultPlan.defaultBlockSize)
        let options = MessageOptions(
            shapes: shapes, seqEnabled: !withoutSeq && format == .json, readingsPerMessage: readingsPerMessage, format: format,
            edgeNodeSuffix: edgeNodeSuffix)
        let fleet = Fleet(count: devices, seed: seed, topicPrefix: topicPrefix, seqStart: seqStart, firstIndex: firstDevice)
        var factory = MessageFactory(fleet: fleet, options: options, plan: plan, seed: seed)
        var settings = MQTTPublisher.Settings()
        settings.host = host
        settings.port = port
        if let clientID { settings.clientID = clientID }
        settings.protocolVersion = mqttVersion
        settings.qos = qos
        settings.username = username
        settings.password = ProcessInfo.processInfo.environment["SIM_MQTT_PASSWORD"]
        settings.caFile = cafile
        settings.certFile = cert
        settings.keyFile = key
        settings.insecure = insecure
        settings.connections = connections
        if let edge = factory.sparkplug {
            // Each edge node listens for its rebirth requests on the connection that carries its messages.
            settings.subscriptions = Array(repeating: [], count: connections)
            for (index, node) in edge.nodes.enumerated() { settings.subscriptions[index % connections].append(node.commandTopic) }
        }

        StopSignal.installProcessHandlers()
        let ledgerFile = try ledger.map { path throws(SimError) in try Ledger(path: path) }
        let publisher = MQTTPublisher(settings: settings)
        defer { publisher.shutdown() }
        do {
            try publisher.connect()
        } catch {
            try? ledgerFile?.close()
            throw error
        }
        let limit = count.map { "\($0) messages" } ?? duration.map { "for \($0.seconds) s" } ?? "until SIGINT"
        let pace = rate > 0 ? "\(rate) msg/s" : "full speed"
        Self.printError(
            "sensors-sim: \(devices) devices -> \(host):\(port) (MQTT \(mqttVersion.rawValue), QoS \(qos), \(connections) connection(s)), \(pace), \(limit)"
        )
        let run = PublishRun(
            rate: rate, count: count, durationSeconds: duration?.seconds, drainTimeoutSeconds: drainTimeout.seconds)
        let summary = try run.execute(factory: &factory, publisher: publisher, ledger: ledgerFile, stop: StopSignal.process)
        Self.printError(summary.render(), terminator: "")
        if summary.unacknowledged > 0 && !StopSignal.process.isRequested {
            throw ExitCode.failure
        }
    }

    private static func printError(_ text: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((text + terminator).utf8))
    }
}

extension MQTTPublisher.ProtocolVersion: ExpressibleByArgument {}
extension WireFormat: ExpressibleByArgument {}
