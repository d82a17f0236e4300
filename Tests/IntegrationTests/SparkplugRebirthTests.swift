import Foundation
import SparkplugB
import Testing

/// The whole path of a rebirth request: an edge node's DATA the pipeline cannot read (no birth
/// yet) makes `gateway run` publish an NCMD `Node Control/Rebirth` = true to that edge node, as
/// an edge node subscribed to its commands receives it.
@Suite("Sparkplug rebirth request")
struct SparkplugRebirthTests {
    /// `mosquitto_sub` on `filter` for one message, line-buffered so its SUBACK line shows at once;
    /// prints `message <topic> <hex payload>`.
    private final class CommandListener {
        let child: ChildProcess

        init(port: Int, filter: String, directory: URL) throws {
            child = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/stdbuf"),
                [
                    "-oL", "/usr/bin/mosquitto_sub", "-d", "-h", "127.0.0.1", "-p", "\(port)", "-t", filter, "-C", "1",
                    "-W", "30", "-F", "message %t %x",
                ],
                logURL: directory.appendingPathComponent("ncmd-\(UUID().uuidString).log"))
            try waitUntil(timeout: 10, "mosquitto_sub did not subscribe: \(child.output)") {
                child.output.contains("received SUBACK")
            }
        }

        /// The topic and payload of the message, once it came.
        func message(timeout: Double) throws -> (topic: String, payload: [UInt8]) {
            func line() -> Substring? { child.output.split(separator: "\n").first { $0.hasPrefix("message ") } }
            try waitUntil(timeout: timeout, "no command arrived: \(child.output)") { line() != nil }
            let parts = try #require(line()).dropFirst("message ".count).split(separator: " ", maxSplits: 1)
            let hex: [UInt8] = parts.count > 1 ? Array(parts[1].utf8) : []
            var payload: [UInt8] = []
            for index in stride(from: 0, to: hex.count - 1, by: 2) {
                payload.append(try #require(UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16)))
            }
            return (String(try #require(parts.first)), payload)
        }
    }

    @Test func dataBeforeABirthMakesTheGatewayPublishARebirthRequestToThatEdgeNode() throws {
        let bed = try BrokerTestBed("sparkplug-rebirth")
        let gateway = try GatewayUnderTest(
            directory: bed.directory, brokerPort: bed.broker.port, clientID: "it-rebirth-\(getpid())",
            topics: ["iiot/#", "spBv1.0/#"],
            ingestYAML: ["subscriptions:", "  - {format: sparkplug_b, host_id: it-rebirth-host}"])
        try waitUntil(timeout: 30, "the gateway did not go online:\n\(gateway.child.output.suffix(3000))") {
            gateway.child.output.contains("sparkplug: host online")
        }
        let listener = try CommandListener(port: bed.broker.port, filter: "spBv1.0/+/NCMD/+", directory: bed.directory)

        // An empty payload is a valid (empty) Sparkplug B payload: NDATA of an edge node never born.
        try SystemTool.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(bed.broker.port)", "-t", "spBv1.0/plant-a/NDATA/line-7", "-n"])
        let command = try listener.message(timeout: 15)
        #expect(command.topic == "spBv1.0/plant-a/NCMD/line-7")
        let payload = try SparkplugPayloadDecoder().decode(command.payload)
        #expect(payload.seq == nil && payload.timestamp != nil)
        #expect(
            payload.metrics == [
                SparkplugMetric(name: "Node Control/Rebirth", datatype: SparkplugDataType.boolean.rawValue, field: .boolean(true))
            ])

        #expect(try gateway.stop() == 0)
        #expect(gateway.child.output.contains("sparkplug: rebirth requested from plant-a/line-7"))
        #expect(gateway.child.output.contains("sparkplug: 1 rebirth requests published"))
    }
}
