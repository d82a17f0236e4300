import Foundation
import Testing

/// A `gateway run` with a `sparkplug_b` subscription as edge nodes see it: its retained STATE on
/// `spBv1.0/STATE/{host_id}` says online while it runs, offline after a clean stop, and after a
/// `kill -9` the broker's copy of its will says offline with the timestamp of that run's connect.
@Suite("Sparkplug host STATE", .serialized)
struct SparkplugStateTests {
    private static let hostID = "it-host"
    private static let stateTopic = "spBv1.0/STATE/\(hostID)"

    /// A STATE payload as the specification writes it.
    private struct State: Decodable, Equatable {
        let online: Bool
        let timestamp: Int64
    }

    /// The STATE the broker retains, read with `mosquitto_sub` (which must see the retain flag).
    private func retainedState(port: Int) throws -> State {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", Self.stateTopic, "-C", "1", "-W", "5", "-F", "%r %p"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, output.hasPrefix("1 ") else {
            throw TestFailure(
                "no retained STATE on \(Self.stateTopic) (mosquitto_sub exited \(process.terminationStatus)): \(output)")
        }
        return try JSONDecoder().decode(State.self, from: Data(output.dropFirst(2).utf8))
    }

    /// A gateway reading JSON and Sparkplug B, started and online (it has published its STATE).
    private func startGateway(_ bed: BrokerTestBed, run: Int) throws -> GatewayUnderTest {
        let gateway = try GatewayUnderTest(
            directory: bed.directory, brokerPort: bed.broker.port, clientID: "it-sparkplug-\(getpid())-\(run)",
            ingestYAML: [
                "subscriptions:",
                "  - {format: json, topic: \"iiot/{park}/{site}/{device}/telemetry\"}",
                "  - {format: sparkplug_b, host_id: \(Self.hostID)}",
            ])
        try waitUntil(timeout: 30, "the gateway did not go online:\n\(gateway.child.output.suffix(3000))") {
            gateway.child.output.contains("sparkplug: host online")
        }
        return gateway
    }

    @Test func theRetainedStateIsOnlineWhileRunningOfflineAfterAStopAndTheWillAfterAKill() throws {
        let bed = try BrokerTestBed("sparkplug-state")
        let port = bed.broker.port

        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let first = try startGateway(bed, run: 1)
        let online = try retainedState(port: port)
        #expect(online.online)
        #expect(online.timestamp >= before && online.timestamp <= Int64(Date().timeIntervalSince1970 * 1000))

        #expect(try first.stop() == 0)
        #expect(first.child.output.contains("sparkplug: host offline"), "\(first.child.output.suffix(2000))")
        let offline = try retainedState(port: port)
        #expect(!offline.online)
        #expect(offline.timestamp >= online.timestamp)
        // Its own STATE messages (at least the echo of its online one) never reached the pipeline.
        #expect(first.status()?["messages"] as? Int == 0)

        let second = try startGateway(bed, run: 2)
        let secondOnline = try retainedState(port: port)
        #expect(secondOnline.online)
        #expect(secondOnline.timestamp >= offline.timestamp)
        second.child.signal(SIGKILL)
        _ = try second.child.waitForExit(timeout: 10)
        // The kernel closes the socket, and the broker publishes the will of that connection.
        var will = secondOnline
        try waitUntil(timeout: 10, "the broker did not publish the will; STATE is still \(will)") {
            will = try retainedState(port: port)
            return !will.online
        }
        #expect(will == State(online: false, timestamp: secondOnline.timestamp))
    }
}
