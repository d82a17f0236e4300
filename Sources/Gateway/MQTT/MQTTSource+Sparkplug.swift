// The Sparkplug B host application's part of the MQTT client: its STATE (the will, online,
// offline) and the rebirth requests (NCMD) the pipeline queues. `SparkplugHostSession` decides
// what to publish when; this file publishes it.
//
// Every publish happens on the network thread: from its callbacks (online after the SUBACKs, online
// again after reading a stale will) or from its loop between passes (`serviceSparkplug`: the
// shutdown's offline STATE, queued rebirth requests). So the STATE messages leave in the order they
// were decided, and the offline one of a shutdown is the last. Nothing wakes the loop when the
// pipeline queues a request (libmosquitto's wake-up pipe is not public), so with Sparkplug B on,
// the loop waits at most `sparkplugPollMillis` in `pselect` and a request goes out within that.

import CMosquitto
import Logging
import SparkplugB
import Telemetry

extension MQTTSource {
    /// The longest a Sparkplug B host's network loop waits in `pselect`: the delay of a rebirth
    /// request or of the shutdown's offline STATE. Ten wake-ups a second cost nothing measurable.
    static let sparkplugPollMillis: Int32 = 100
    /// How long `stop` waits for the broker to acknowledge the offline STATE before it disconnects anyway.
    static let offlineStateTimeoutMillis = 2_000

    /// Sets the will of the next CONNECT, `{"online":false,"timestamp":T}` with a fresh T, QoS 1,
    /// retained. Called before the first connect and every reconnect.
    func setSparkplugWill(_ handle: OpaquePointer, _ sparkplug: SparkplugHostSession) -> Int32 {
        let will = sparkplug.beginConnect(atMillis: WallClock.millis()).bytes
        return will.withUnsafeBytes { bytes in
            mosquitto_will_set(handle, sparkplug.stateTopic, Int32(bytes.count), bytes.baseAddress, 1, true)
        }
    }

    /// After CONNACK and the configured subscriptions (`messageIDs`): subscribes to the own STATE
    /// topic at QoS 1, and publishes online at once if no SUBACK is awaited.
    func subscribeToOwnState(_ handle: OpaquePointer, _ sparkplug: SparkplugHostSession, awaiting messageIDs: [Int32]) {
        var messageID: Int32 = 0
        let result = mosquitto_subscribe(handle, &messageID, sparkplug.stateTopic, 1)
        let subscribed = result == Int32(MOSQ_ERR_SUCCESS.rawValue)
        if !subscribed {
            logger.error(
                "sparkplug: could not subscribe to the own STATE topic",
                metadata: ["topic": "\(sparkplug.stateTopic)", "error": "\(Self.describe(result))"])
        }
        let awaited = subscribed ? messageIDs + [messageID] : messageIDs
        if let online = sparkplug.connected(awaiting: awaited, stateSubscription: subscribed ? messageID : nil) {
            publishOnline(handle, sparkplug, online, reason: "no subscription to wait for")
        }
    }

    /// Publishes the online STATE (retained, QoS 1) of the current connection.
    func publishOnline(
        _ handle: OpaquePointer, _ sparkplug: SparkplugHostSession, _ online: SparkplugStatePayload, reason: String
    ) {
        let result = publishState(handle, sparkplug, online, messageID: nil)
        guard result == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            logger.error(
                "sparkplug: could not publish the online STATE",
                metadata: ["topic": "\(sparkplug.stateTopic)", "error": "\(Self.describe(result))"])
            return
        }
        sparkplug.onlinePublished()
        logger.info(
            "sparkplug: host online",
            metadata: [
                "host_id": "\(sparkplug.settings.hostID)", "timestamp": "\(online.timestamp)", "after": "\(reason)",
            ])
    }

    /// A message on the own STATE topic (never pushed into the ring): anything but online while
    /// this connection is online, such as the retained will of a lost connection, is answered by
    /// publishing online again (Sparkplug 3.0.0 section 5.3).
    func didReceiveOwnState(_ payload: UnsafeRawBufferPointer, _ sparkplug: SparkplugHostSession) {
        guard let handle else { return }
        let received = SparkplugStatePayload(decoding: payload)
        guard let online = sparkplug.onlineToRepublish(after: received) else { return }
        let what = received.map { "online \($0.online), timestamp \($0.timestamp)" } ?? "not a STATE payload"
        // Older than this connection: the will of a lost one, routine after a crash. Anything else
        // was published by someone else, such as a second gateway with the same host_id.
        let stale = received.map { $0.timestamp < online.timestamp } ?? false
        logger.log(
            level: stale ? .info : .warning,
            "sparkplug: the own STATE topic says the host is not online (\(what)); publishing online again",
            metadata: ["topic": "\(sparkplug.stateTopic)", "stale": "\(stale)"])
        publishOnline(handle, sparkplug, online, reason: "own STATE read offline")
    }

    /// Between two passes of the network loop: the shutdown's offline STATE once it is requested,
    /// then the queued rebirth requests while online.
    func serviceSparkplug(_ handle: OpaquePointer, _ sparkplug: SparkplugHostSession) {
        if let offline = sparkplug.offlineToPublish(atMillis: WallClock.millis()) {
            var messageID: Int32 = 0
            let result = publishState(handle, sparkplug, offline, messageID: &messageID)
            if result == Int32(MOSQ_ERR_SUCCESS.rawValue) {
                sparkplug.offlinePublished(messageID: messageID)
            } else {
                logger.warning(
                    "sparkplug: could not publish the offline STATE; the broker keeps the online one until the will",
                    metadata: ["topic": "\(sparkplug.stateTopic)", "error": "\(Self.describe(result))"])
                sparkplug.offlineFailed()
            }
        }
        if !sparkplug.commands.isEmpty && sparkplug.mayPublishCommands {
            publishRebirthRequests(handle, sparkplug.commands)
        }
    }

    /// Publishes an NCMD `Node Control/Rebirth` = true (QoS 0, not retained) for each queued edge
    /// node; what the connection could not take waits for the next one.
    private func publishRebirthRequests(_ handle: OpaquePointer, _ commands: SparkplugCommandQueue) {
        let nodes = commands.takeAll()
        for (index, node) in nodes.enumerated() {
            let topic = "\(SparkplugTopic.namespace)/\(node.group)/NCMD/\(node.edgeNode)"
            let payload: [UInt8]
            do {
                payload = try SparkplugPayloadEncoder().rebirthRequest(timestamp: UInt64(max(0, WallClock.millis())))
            } catch {
                logger.error("sparkplug: could not encode a rebirth request: \(error)", metadata: ["topic": "\(topic)"])
                continue
            }
            let result = payload.withUnsafeBytes { bytes in
                mosquitto_publish(handle, nil, topic, Int32(bytes.count), bytes.baseAddress, 0, false)
            }
            guard result == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
                logger.warning(
                    "sparkplug: could not publish a rebirth request; it waits for the next connection",
                    metadata: ["topic": "\(topic)", "error": "\(Self.describe(result))"])
                commands.putBack(Array(nodes[index...]))
                return
            }
            commands.countPublished()
            logger.info("sparkplug: rebirth requested from \(node.group)/\(node.edgeNode)", metadata: ["topic": "\(topic)"])
        }
    }

    /// At a clean shutdown, before DISCONNECT (stopping thread): has the network thread publish
    /// `{"online":false,"timestamp":now}` and waits until the broker acknowledged it, at most
    /// `offlineStateTimeoutMillis`.
    func announceOffline(_ sparkplug: SparkplugHostSession) {
        let metadata: Logger.Metadata = ["topic": "\(sparkplug.stateTopic)"]
        guard sparkplug.requestOffline() else {
            logger.info(
                "sparkplug: not connected at shutdown; the broker publishes the will (offline) instead", metadata: metadata)
            return
        }
        switch sparkplug.waitUntilOfflineSettled(timeoutMillis: Self.offlineStateTimeoutMillis) {
        case .acknowledged:
            logger.info("sparkplug: host offline", metadata: metadata)
        case .notConnected, .failed:
            logger.warning(
                "sparkplug: the offline STATE did not reach the broker; it publishes the will instead", metadata: metadata)
        case nil:
            logger.warning(
                """
                sparkplug: the broker did not acknowledge the offline STATE within \(Self.offlineStateTimeoutMillis) ms; \
                disconnecting anyway
                """,
                metadata: metadata)
        }
    }

    /// Publishes `payload` on the own STATE topic, QoS 1, retained.
    private func publishState(
        _ handle: OpaquePointer, _ sparkplug: SparkplugHostSession, _ payload: SparkplugStatePayload,
        messageID: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        payload.bytes.withUnsafeBytes { bytes in
            mosquitto_publish(handle, messageID, sparkplug.stateTopic, Int32(bytes.count), bytes.baseAddress, 1, true)
        }
    }
}
