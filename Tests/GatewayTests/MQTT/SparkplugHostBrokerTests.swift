import Foundation
import Logging
import SparkplugB
import Telemetry
import Testing

@testable import Gateway

/// The MQTT source as a Sparkplug B host against a real Mosquitto: its retained STATE, the
/// rebirth requests it publishes for the pipeline, and which messages reach the ring.
@Suite("Sparkplug host on a broker", .serialized)
struct SparkplugHostBrokerTests {
    private static let hostID = "unit-host"
    private static let stateTopic = "spBv1.0/STATE/\(hostID)"

    /// A started source subscribed to the whole namespace, and its ring.
    private func startSource(
        _ broker: TestBroker
    ) throws -> (source: MQTTSource, session: SparkplugHostSession, ring: MessageRing) {
        var mqtt = MQTTSettings()
        mqtt.port = broker.port
        mqtt.clientID = "sparkplug-unit-\(getpid())"
        mqtt.cleanSession = true
        mqtt.topics = ["spBv1.0/#"]
        var settings = SparkplugHostSettings()
        settings.hostID = Self.hostID
        let session = SparkplugHostSession(settings: settings)
        let ring = MessageRing(capacityBytes: 1 << 20)
        let source = MQTTSource(
            settings: mqtt, password: nil, ring: ring, connection: ConnectionState(), sparkplug: session,
            logger: Logger(label: "sparkplug-test"))
        try source.start()
        try TestBroker.waitUntil(timeout: 10, "the source did not go online") { session.isOnline }
        return (source, session, ring)
    }

    /// The JSON of the retained STATE, which must be retained.
    private func retainedState(_ broker: TestBroker) throws -> SparkplugStatePayload {
        let message = try broker.retained(Self.stateTopic)
        #expect(message.retained)
        return try #require(Array(message.payload.utf8).withUnsafeBytes { SparkplugStatePayload(decoding: $0) })
    }

    /// The topics in the ring, in order.
    private func ringTopics(_ ring: MessageRing) -> [String] {
        var topics: [String] = []
        _ = ring.consume(maxMessages: 1_000) { topics.append(String(decoding: $0.topic, as: UTF8.self)) }
        return topics
    }

    @Test func aRebirthRequestBecomesAnNCMDWithNodeControlRebirthTrue() throws {
        let broker = try TestBroker()
        let (source, session, _) = try startSource(broker)
        defer { source.stop() }
        let subscriber = try broker.subscribeForOneMessage("spBv1.0/+/NCMD/+")

        let before = UInt64(WallClock.millis())
        let requested = Date()
        session.commands.requestRebirth(group: "plant-a", edgeNode: "line-7")
        let message = try subscriber.message(timeout: 5)
        let latency = Date().timeIntervalSince(requested)
        #expect(message.topic == "spBv1.0/plant-a/NCMD/line-7")
        let payload = try SparkplugPayloadDecoder().decode(message.payload)
        #expect(payload.seq == nil, "commands carry no seq")
        let timestamp = try #require(payload.timestamp)
        #expect(timestamp >= before && timestamp <= UInt64(WallClock.millis()))
        #expect(
            payload.metrics == [
                SparkplugMetric(name: "Node Control/Rebirth", datatype: SparkplugDataType.boolean.rawValue, field: .boolean(true))
            ])
        #expect(session.commands.counts == SparkplugCommandQueue.Counts(published: 1, dropped: 0))
        // The loop waits at most 100 ms in pselect before it looks at the queue; a second for a loaded machine.
        #expect(latency < 1, "the request took \(latency) s to reach the broker")
    }

    @Test func onlineIsRetainedWithTheConnectsTimestampAndOfflineAfterAStop() throws {
        let broker = try TestBroker()
        let before = WallClock.millis()
        let (source, _, _) = try startSource(broker)
        let online = try retainedState(broker)
        #expect(online.online)
        #expect(online.timestamp >= before && online.timestamp <= WallClock.millis())

        source.stop()
        let offline = try retainedState(broker)
        #expect(!offline.online)
        #expect(offline.timestamp >= online.timestamp)
    }

    @Test func aReconnectTakesANewTimestampForTheWillAndTheOnlineMessage() throws {
        let broker = try TestBroker()
        let (source, session, _) = try startSource(broker)
        defer { source.stop() }
        let first = try retainedState(broker)
        try broker.restart()
        // The restarted broker has lost the retained STATE: the one it holds is the new connection's.
        var second = first
        try TestBroker.waitUntil(timeout: 20, "no online STATE after the reconnect") {
            guard session.isOnline, let state = try? retainedState(broker) else { return false }
            second = state
            return true
        }
        #expect(second.online)
        #expect(second.timestamp > first.timestamp)
    }

    @Test func theOwnStateStaysOutOfTheRingAndAStaleOfflineIsAnsweredWithOnline() throws {
        let broker = try TestBroker()
        let (source, _, ring) = try startSource(broker)
        defer { source.stop() }
        let online = try retainedState(broker)

        // A stale will of an earlier connection, retained: the source publishes online again.
        try broker.publish(Self.stateTopic, #"{"online":false,"timestamp":\#(online.timestamp - 1)}"#, retain: true)
        try TestBroker.waitUntil(timeout: 5, "online was not published again") {
            (try? retainedState(broker)) == online
        }
        // Another host's STATE is data for the pipeline (which skips it); the own one never is.
        try broker.publish("spBv1.0/STATE/other-host", #"{"online":true,"timestamp":1}"#)
        var topics: [String] = []
        try TestBroker.waitUntil(timeout: 5, "the other host's STATE did not reach the ring: \(topics)") {
            topics += ringTopics(ring)
            return topics.contains("spBv1.0/STATE/other-host")
        }
        #expect(!topics.contains(Self.stateTopic), "\(topics)")
    }
}
