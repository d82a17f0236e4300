import Foundation
import Testing

/// The HTTP API of a running gateway, read as a pilot's code or a monitoring stack would.
@Suite("HTTP API end to end", .serialized)
struct HTTPAPITests {
    /// Waits until the gateway has taken everything the broker had (status.json stops moving).
    private func waitUntilIdle(_ gateway: GatewayUnderTest) throws {
        var previous = -1
        try waitUntil(timeout: 60, "the gateway kept receiving") {
            let now = gateway.status()?["messages"] as? Int ?? 0
            defer { previous = now }
            Thread.sleep(forTimeInterval: 1.5)
            return now == previous && gateway.status()?["ring_used_bytes"] as? Int == 0
        }
    }

    /// `name{labels} value` lines of a Prometheus text body.
    private func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func queriesMetricsAndHealthAnswerFromTheSameNumbersAsTheFilesAndConformToOpenAPI() throws {
        let bed = try BrokerTestBed("http")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(directory: directory, brokerPort: broker.port, clientID: "it-http-\(getpid())")
        let api = "http://127.0.0.1:\(gateway.apiPort)"
        let simulator = try SimulatorRun(
            directory: directory, port: broker.port,
            ["--seed", "31", "--devices", "12", "--rate", "1500", "--count", "3000", "--fault-out-of-range", "1"])
        #expect(try simulator.waitForExit(timeout: 120) == 0)
        try waitUntilIdle(gateway)

        // /metrics against status.json from the same moment: read between two status.json
        // versions whose counts agree (windows of silent devices still close meanwhile).
        let (metrics, status) = try metricsBetweenEqualStatuses(api, gateway)
        #expect(metrics.status == 200)
        expectMetrics(samples(metrics.text), equal: status)
        // Idle, never disconnected: no lag, no reconnect; the out-of-range readings' quarantine
        // lines written (rollups may still wait for their windows to close).
        #expect(status["ingest_lag_ms"] as? Int == 0)
        #expect(status["reconnects"] as? Int == 0)
        #expect(((status["bytes_written"] as? [String: Int])?["quarantine"] ?? 0) > 0, "\(status)")

        let health = try HTTPGet.fetch(api + "/healthz")
        #expect(health.status == 200, "\(health.text)")
        #expect(try health.json()["status"] as? String == "ok")

        // The API's query answers exactly what `gateway query` prints for the same parameters.
        // 10 s windows: they close (and reach the index) seconds after the devices fall silent.
        let parameters = [
            ("from", "-1h"), ("to", "now"), ("step", "10s"), ("group_by", "site"), ("agg", "count,sum,min,max,increase"),
        ]
        // Pinned times, and asked until two answers a second apart agree: every window closed.
        let pinned = parameters.map { $0.0 == "to" || $0.0 == "from" ? ($0.0, pinnedTime($0.1)) : $0 }
        let query = pinned.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        var answer = HTTPGet.Answer(status: 0, headers: [:], body: Data())
        try waitUntil(timeout: 90, "the index kept changing or stayed empty: \(answer.text.prefix(300))") {
            let before = answer.body
            answer = try HTTPGet.fetch(api + "/api/v1/query?" + query.joined(separator: "&"))
            Thread.sleep(forTimeInterval: 1)
            return answer.body == before && (try? answer.json()["series"] as? [Any])??.isEmpty == false
        }
        #expect(answer.status == 200, "\(answer.text.prefix(500))")
        let command = try ChildProcess(
            try TestPaths.binary("gateway"),
            ["query", "--data-dir", gateway.dataDirectory.path, "--format", "json"]
                + pinned.flatMap { ["--" + $0.0.replacingOccurrences(of: "_", with: "-"), $0.1] },
            logURL: directory.appendingPathComponent("query.log"))
        #expect(try command.waitForExit(timeout: 60) == 0)
        #expect(answer.text == command.output, "the API and the command answer alike")
        let csv = try HTTPGet.fetch(api + "/api/v1/query?" + query.joined(separator: "&"), accept: "text/csv")
        #expect(csv.text.hasPrefix("start,end,park,site,metric,kind,unit,count,sum,min,max,increase,complete\r\n"))

        let bad = try HTTPGet.fetch(api + "/api/v1/query?step=7x")
        #expect(bad.status == 400)
        #expect((try bad.json()["error"] as? [String: Any])?["parameter"] as? String == "step")

        // Every operation against openapi.yaml, with schemathesis; /metrics with prometheus-client.
        let check = try ChildProcess(
            TestPaths.repositoryRoot.appendingPathComponent("scripts/api-check"), ["--url", api],
            logURL: directory.appendingPathComponent("api-check.log"))
        #expect(try check.waitForExit(timeout: 900) == 0, "\(check.output.suffix(4000))")
        #expect(try gateway.stop() == 0)
    }

    /// `/api/v1/devices` against what three simulator runs sent: faults, then a jump in every
    /// device's `seq`, then a device that never sends a valid payload. From `gateway run` (the
    /// engine's snapshot) and, once it stopped, from `gateway serve` over its data directory (its
    /// last checkpoint and status.json), whose `/metrics` must equal that status.json too.
    @Test func devicesCountEachDevicesQuarantinesAndSequenceGapsInRunAndInServe() throws {
        let bed = try BrokerTestBed("http-devices")
        let (directory, broker) = (bed.directory, bed.broker)
        let gateway = try GatewayUnderTest(
            directory: directory, brokerPort: broker.port, clientID: "it-http-devices-\(getpid())")
        let fleet = ["--seed", "47", "--devices", "12", "--rate", "2000"]
        let runs: [(String, [String])] = [
            (
                "faults",
                fleet + ["--count", "1200", "--fault-malformed", "2", "--fault-duplicate", "2", "--fault-out-of-range", "2"]
            ),
            ("gaps", fleet + ["--count", "24", "--seq-start", "5000"]),
            ("bad", ["--seed", "47", "--devices", "1", "--first-device", "12", "--count", "3", "--fault-malformed", "100"]),
        ]
        var ledgers: [URL] = []
        for (name, arguments) in runs {
            let simulator = try SimulatorRun(directory: directory, port: broker.port, name: name, arguments)
            #expect(try simulator.waitForExit(timeout: 120) == 0, "\(simulator.output.suffix(2000))")
            ledgers.append(simulator.ledgerURL)
        }
        let expected = try SimulatorLedger(urls: ledgers).devices
        #expect(expected.count == 13)
        #expect(expected.values.filter { $0.seqMissing > 0 }.count >= 6, "the jump left gaps")
        #expect(expected.values.filter { $0.readings == 0 && $0.quarantined == 3 }.count == 1)
        try waitUntilIdle(gateway)
        let status = try #require(gateway.status())
        #expect(
            (status["quarantined"] as? [String: Int] ?? [:]).values.reduce(0, +)
                == expected.values.reduce(0) { $0 + $1.quarantined })
        #expect(status["seq_missing"] as? Int == expected.values.reduce(0) { $0 + $1.seqMissing })

        // gateway run, once the index lists the 12 devices that sent readings.
        let running = "http://127.0.0.1:\(gateway.apiPort)/api/v1/devices?silence=1h"
        var listed: [String: [String: Any]] = [:]
        try waitUntil(timeout: 60, "the index did not list the devices: \(listed.keys.sorted())") {
            listed = try devices(HTTPGet.fetch(running))
            return listed.count == 13 && listed.values.filter { ($0["series"] as? Int ?? 0) > 0 }.count == 12
        }
        expectDevices(listed, expected, readings: false)

        #expect(try gateway.stop() == 0)
        let final = try #require(gateway.status())
        #expect(final["stopped"] as? Bool == true)
        let bytes = final["bytes_written"] as? [String: Int] ?? [:]
        for log in ["rollups", "quarantine"] {
            #expect(bytes[log] == (try directorySize(gateway.dataDirectory.appendingPathComponent(log))), "\(log)")
        }

        let port = try MosquittoBroker.freeLoopbackPort()
        let serve = try ChildProcess(
            try TestPaths.binary("gateway"),
            ["serve", "--data-dir", gateway.dataDirectory.path, "--listen", "127.0.0.1:\(port)"],
            logURL: directory.appendingPathComponent("serve.log"))
        let served = "http://127.0.0.1:\(port)"
        try waitUntil(timeout: 30, "gateway serve did not answer: \(serve.output.suffix(2000))") {
            (try? HTTPGet.fetch(served + "/metrics"))?.status == 200
        }
        listed = try devices(HTTPGet.fetch(served + "/api/v1/devices?silence=1h"))
        #expect(listed.count == 13)
        // Every window was written at shutdown and indexed: readings are the ledger's too.
        expectDevices(listed, expected, readings: true)
        expectMetrics(samples(try HTTPGet.fetch(served + "/metrics").text), equal: final)
        serve.signal(SIGTERM)
        #expect(try serve.waitForExit(timeout: 30) == 0)
    }

    /// The devices of a `/api/v1/devices` answer that has the engine's counts, by "park/site/device".
    private func devices(_ answer: HTTPGet.Answer) throws -> [String: [String: Any]] {
        guard answer.status == 200, (try answer.json())["counts_as_of"] is String,
            let list = try answer.json()["devices"] as? [[String: Any]]
        else { throw TestFailure("not a devices answer with counts: \(answer.text.prefix(500))") }
        var devices: [String: [String: Any]] = [:]
        for device in list {
            devices[["park", "site", "device"].map { device[$0] as? String ?? "?" }.joined(separator: "/")] = device
        }
        return devices
    }

    /// Each device's quarantined and seq_missing are the ledger's, and so are its readings when
    /// `readings` (every window indexed) or when it has none.
    private func expectDevices(
        _ listed: [String: [String: Any]], _ expected: [String: SimulatorLedger.DeviceFigures], readings: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (name, figures) in expected.sorted(by: { $0.key < $1.key }) {
            let device = listed[name] ?? [:]
            #expect(device["quarantined"] as? Int == figures.quarantined, "\(name)", sourceLocation: sourceLocation)
            #expect(device["seq_missing"] as? Int == figures.seqMissing, "\(name)", sourceLocation: sourceLocation)
            if readings || figures.readings == 0 {
                #expect(device["readings"] as? Int == figures.readings, "\(name)", sourceLocation: sourceLocation)
            }
            if figures.readings == 0 {
                #expect(device["last_seen"] is NSNull, "\(name)", sourceLocation: sourceLocation)
                #expect(device["status"] as? String == "silent", "\(name)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Bytes of the files in `directory`.
    private func directorySize(_ directory: URL) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).reduce(0) { total, name in
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            return total + ((attributes[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// /metrics and status.json read between two status.json versions whose counts agree.
    private func metricsBetweenEqualStatuses(
        _ api: String, _ gateway: GatewayUnderTest
    ) throws -> (HTTPGet.Answer, [String: Any]) {
        let counted = [
            "messages", "readings_accepted", "rollups_written", "open_windows", "seq_missing", "series", "ingest_lag_ms",
            "reconnects",
        ]
        var status: [String: Any] = [:]
        var metrics = HTTPGet.Answer(status: 0, headers: [:], body: Data())
        try waitUntil(timeout: 60, "status.json kept changing") {
            let before = gateway.status() ?? [:]
            metrics = try HTTPGet.fetch(api + "/metrics")
            Thread.sleep(forTimeInterval: 0.6)
            status = gateway.status() ?? [:]
            return counted.allSatisfy { "\(before[$0] ?? "-")" == "\(status[$0] ?? "+")" }
                && before["bytes_written"] as? [String: Int] == status["bytes_written"] as? [String: Int]
        }
        return (metrics, status)
    }

    /// Every engine metric of `values` is its status.json figure (in base units).
    private func expectMetrics(
        _ values: [String: Double], equal status: [String: Any], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }
        let bytes = status["bytes_written"] as? [String: Any] ?? [:]
        let expected: [(String, Double?)] = [
            ("messages_ingested_total", number(status["messages"])),
            ("messages_received_total", number(status["messages_received"])),
            ("readings_accepted_total", number(status["readings_accepted"])),
            ("rollups_written_total", number(status["rollups_written"])),
            ("seq_missing", number(status["seq_missing"])),
            ("windows_open", number(status["open_windows"])),
            ("series", number(status["series"])),
            ("ring_capacity_bytes", number(status["ring_capacity_bytes"])),
            ("ingest_lag_seconds", number(status["ingest_lag_ms"]).map { $0 / 1000 }),
            ("reconnects_total", number(status["reconnects"])),
            ("bytes_written_total{log=\"rollups\"}", number(bytes["rollups"])),
            ("bytes_written_total{log=\"quarantine\"}", number(bytes["quarantine"])),
            ("messages_truncated_total", number(status["messages_truncated"])),
        ]
        for (name, value) in expected {
            #expect(value != nil && values["telemetry_gateway_" + name] == value, "\(name)", sourceLocation: sourceLocation)
        }
        let waited = (number(status["back_pressure_ns"]) ?? -1) / 1e9
        #expect(
            abs((values["telemetry_gateway_back_pressure_seconds_total"] ?? -2) - waited) < 1e-6,
            sourceLocation: sourceLocation)
        let quarantined = status["quarantined"] as? [String: Int] ?? [:]
        #expect(!quarantined.isEmpty, sourceLocation: sourceLocation)
        for (reason, count) in quarantined {
            #expect(
                values["telemetry_gateway_quarantined_total{reason=\"\(reason)\"}"] == Double(count), "\(reason)",
                sourceLocation: sourceLocation)
        }
    }

    @Test func aTokenIsRequiredWhenConfiguredAndItsAbsenceIsA401() throws {
        let bed = try BrokerTestBed("http-token")
        let gateway = try GatewayUnderTest(
            directory: bed.directory, brokerPort: bed.broker.port, clientID: "it-http-token-\(getpid())",
            httpYAML: ["token_env: IT_API_TOKEN"],
            environment: ProcessInfo.processInfo.environment.merging(["IT_API_TOKEN": "it-secret"]) { $1 })
        let api = "http://127.0.0.1:\(gateway.apiPort)"
        let refused = try HTTPGet.fetch(api + "/api/v1/series")
        #expect(refused.status == 401)
        #expect(
            refused.headers["Www-Authenticate"] as? String == "Bearer"
                || refused.headers["WWW-Authenticate"] as? String == "Bearer")
        #expect(try HTTPGet.fetch(api + "/api/v1/series", token: "wrong").status == 401)
        #expect(try HTTPGet.fetch(api + "/api/v1/series", token: "it-secret").status == 200)
        #expect(try gateway.stop() == 0)
    }

    private func pinnedTime(_ relative: String) -> String {
        let now = Date().timeIntervalSince1970
        let seconds = relative == "now" ? now : now - 3600
        return ISOTime.text(Int64(seconds * 1000))
    }
}
