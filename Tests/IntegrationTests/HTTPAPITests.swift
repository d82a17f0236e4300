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
        let counted = ["messages", "readings_accepted", "rollups_written", "open_windows", "seq_missing", "series"]
        var status: [String: Any] = [:]
        var metrics = HTTPGet.Answer(status: 0, headers: [:], body: Data())
        try waitUntil(timeout: 60, "status.json kept changing") {
            let before = gateway.status() ?? [:]
            metrics = try HTTPGet.fetch(api + "/metrics")
            Thread.sleep(forTimeInterval: 0.6)
            status = gateway.status() ?? [:]
            return counted.allSatisfy { "\(before[$0] ?? "-")" == "\(status[$0] ?? "+")" }
        }
        #expect(metrics.status == 200)
        let values = samples(metrics.text)
        let expected: [(String, Any?)] = [
            ("telemetry_gateway_messages_ingested_total", status["messages"]),
            ("telemetry_gateway_messages_received_total", status["messages_received"]),
            ("telemetry_gateway_readings_accepted_total", status["readings_accepted"]),
            ("telemetry_gateway_rollups_written_total", status["rollups_written"]),
            ("telemetry_gateway_seq_missing", status["seq_missing"]),
            ("telemetry_gateway_windows_open", status["open_windows"]),
            ("telemetry_gateway_series", status["series"]),
            ("telemetry_gateway_ring_capacity_bytes", status["ring_capacity_bytes"]),
        ]
        for (name, value) in expected {
            #expect(values[name] == (value as? NSNumber)?.doubleValue, "\(name)")
        }
        let quarantined = status["quarantined"] as? [String: Int] ?? [:]
        #expect(!quarantined.isEmpty)
        for (reason, count) in quarantined {
            #expect(values["telemetry_gateway_quarantined_total{reason=\"\(reason)\"}"] == Double(count), "\(reason)")
        }

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
