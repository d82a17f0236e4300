// The MQTT source: libmosquitto on a network thread of its own, copying every message into the
// ring from inside the message callback.
//
// Why a threaded client: libmosquitto queues a QoS 1 PUBACK before calling `on_message`, and in
// threaded mode writes it to the socket only after the callback returns (libmosquitto 2.0:
// `lib/handle_publish.c` calls `send__puback` before `on_message`, and `packet__queue` in
// `lib/packet_mosq.c` leaves the write to the network loop for a threaded client). So a message is in the ring before the broker counts it as
// delivered, and a full ring blocks the callback, which stops `recv()` and lets TCP push back
// on the broker instead of dropping anything.
//
// The network thread and its loop: MQTTSource+NetworkLoop.swift. As a Sparkplug B host
// application it also publishes its STATE and rebirth requests: MQTTSource+Sparkplug.swift.

import Atomics
import CMosquitto
import Foundation
import Logging
import Telemetry

/// Subscribes to the configured topics and feeds every received message into a `MessageRing`;
/// with Sparkplug B on, it is also the host application's voice on MQTT (`sparkplug`).
///
/// Thread safety: configuration is immutable after `init`; the libmosquitto handle is used by
/// the caller's thread only in `start`/`stop`, and by the network thread (its loop and callbacks), as
/// the library allows; counters are atomics; the ring's producer side is used only by the network
/// thread; `sparkplug` is `Sendable` (a lock). Hence `@unchecked Sendable` is sound.
final class MQTTSource: @unchecked Sendable {
    let settings: MQTTSettings
    private let password: String?
    let ring: MessageRing
    let logger: Logger
    var handle: OpaquePointer?
    /// The Sparkplug B host application (its STATE, its rebirth requests), or `nil` without Sparkplug B.
    let sparkplug: SparkplugHostSession?

    /// Connected or not and since when, messages received, back-pressure: written here (network
    /// thread), read by the engine and the status.
    let connection: ConnectionState
    /// Set by `stop()`: the network thread then ends instead of reconnecting.
    let stopping = ManagedAtomic<Bool>(false)
    /// Signalled once when the network thread ends.
    let networkThreadEnded = DispatchSemaphore(value: 0)
    /// True once `start` has started the network thread.
    private var networkThreadRunning = false

    init(
        settings: MQTTSettings, password: String?, ring: MessageRing, connection: ConnectionState,
        sparkplug: SparkplugHostSession? = nil, logger: Logger
    ) {
        self.settings = settings
        self.connection = connection
        self.password = password
        self.ring = ring
        self.sparkplug = sparkplug
        self.logger = logger
    }

    deinit {
        if let handle { mosquitto_destroy(handle) }
    }

    /// Creates the client, applies every setting and starts connecting in the background.
    /// Connection failures after this point are retried with back-off and logged.
    func start() throws(MQTTSourceError) {
        mosquitto_lib_init()
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        guard let handle = mosquitto_new(settings.clientID, settings.cleanSession, userdata) else {
            throw .setup("could not create the MQTT client (client_id \"\(settings.clientID)\")")
        }
        self.handle = handle
        try check(mosquitto_threaded_set(handle, true), "mark the client as used from its own network thread")

        let version = settings.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "set protocol version")
        if let username = settings.username {
            try check(mosquitto_username_pw_set(handle, username, password), "set username and password")
        }
        if let tls = settings.tls {
            try check(
                mosquitto_tls_set(handle, tls.caFile, tls.caPath, tls.certFile, tls.keyFile, nil),
                "configure TLS (ca_file, ca_path, cert_file, key_file)")
            try check(mosquitto_tls_insecure_set(handle, tls.insecure), "set tls.insecure")
        }
        try check(
            mosquitto_reconnect_delay_set(
                handle, UInt32(settings.reconnectInitialSeconds), UInt32(settings.reconnectMaxSeconds), true),
            "set reconnect delay")

        mosquitto_connect_with_flags_callback_set(handle) { _, userdata, code, flags in
            guard let userdata else { return }
            Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().didConnect(code: code, flags: flags)
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, code in
            guard let userdata else { return }
            Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().didDisconnect(code: code)
        }
        mosquitto_subscribe_callback_set(handle) { _, userdata, messageID, count, granted in
            guard let userdata, let granted else { return }
            let levels = (0..<Int(count)).map { granted[$0] }
            Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().didSubscribe(messageID: messageID, granted: levels)
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let userdata, let message else { return }
            Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().didReceive(message.pointee)
        }
        if let sparkplug {
            mosquitto_publish_callback_set(handle) { _, userdata, messageID in
                guard let userdata else { return }
                Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().sparkplug?.published(messageID: messageID)
            }
            try check(setSparkplugWill(handle, sparkplug), "set the will on the Sparkplug STATE topic \(sparkplug.stateTopic)")
        }
        Self.forwardLibraryLog(handle, true)

        logger.info(
            "connecting to MQTT broker",
            metadata: [
                "broker": "\(settings.host):\(settings.port)", "client_id": "\(settings.clientID)",
                "protocol": "\(settings.protocolVersion)", "tls": "\(settings.tls != nil)",
                "clean_session": "\(settings.cleanSession)", "qos": "\(settings.qos)",
            ])
        let code: Int32
        if settings.protocolVersion == .v5 && !settings.cleanSession {
            code = connectAskingForPersistentSession(handle)
        } else {
            code = mosquitto_connect_async(handle, settings.host, Int32(settings.port), Int32(settings.keepaliveSeconds))
        }
        if code != Int32(MOSQ_ERR_SUCCESS.rawValue) {
            logger.warning(
                "first connection attempt failed; retrying with back-off",
                metadata: [
                    "broker": "\(settings.host):\(settings.port)", "error": "\(Self.describe(code))",
                ])
        }
        let thread = Thread { [self] in runNetworkLoop() }
        thread.start()
        networkThreadRunning = true
    }

    /// MQTT 5 ends a session when the connection closes unless CONNECT carries a session-expiry
    /// interval. libmosquitto 2.0 takes CONNECT properties only in this first, blocking connect,
    /// not in its automatic reconnects: hence the warning, and 3.1.1 as the default protocol.
    private func connectAskingForPersistentSession(_ handle: OpaquePointer) -> Int32 {
        logger.warning(
            """
            MQTT 5 with clean_session false: libmosquitto asks for a never-expiring session on this first connection \
            only; after an automatic reconnect the broker ends the session at the next disconnect. Use protocol 3.1.1 \
            for a session that always survives gateway restarts.
            """)
        var properties: OpaquePointer?
        mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), UInt32.max)
        defer { mosquitto_property_free_all(&properties) }
        return mosquitto_connect_bind_v5(
            handle, settings.host, Int32(settings.port), Int32(settings.keepaliveSeconds), nil, properties)
    }

    /// Disconnects and joins the network thread. Messages already in the ring stay there for the
    /// pipeline to drain; unacknowledged ones are redelivered by the broker (persistent session).
    /// A Sparkplug B host first publishes its offline STATE and waits (at most 2 s) for the broker
    /// to acknowledge it: DISCONNECT discards the will, so that message is what says it is gone.
    func stop() {
        guard let handle else { return }
        if let sparkplug, networkThreadRunning {
            announceOffline(sparkplug)
            let counts = sparkplug.commands.counts
            logger.info(
                "sparkplug: \(counts.published) rebirth requests published",
                metadata: counts.dropped > 0 ? ["dropped_while_queue_full": "\(counts.dropped)"] : [:])
        }
        stopping.store(true, ordering: .releasing)
        mosquitto_disconnect(handle)
        if networkThreadRunning {
            networkThreadEnded.wait()
            networkThreadRunning = false
        }
        connection.disconnected()
        logger.info("disconnected from MQTT broker")
    }

    // MARK: Callbacks (network thread)

    private func didConnect(code: Int32, flags: Int32) {
        guard code == 0 else {
            logger.error(
                "broker refused the connection; retrying with back-off",
                metadata: [
                    "broker": "\(settings.host):\(settings.port)",
                    "reason": "\(String(cString: mosquitto_connack_string(code)))",
                ])
            return
        }
        // With a log callback set, libmosquitto formats a debug line for every packet, which
        // costs about a fifth of the gateway's QoS 0 throughput (Benchmarks/README.md). Its
        // lines matter while connecting (they alone say why TLS failed), so the callback is off
        // while connected.
        if let handle { Self.forwardLibraryLog(handle, false) }
        connection.connected(atMillis: WallClock.millis())
        logger.info(
            "connected to MQTT broker",
            metadata: [
                "broker": "\(settings.host):\(settings.port)", "session_present": "\(flags & 1 == 1)",
            ])
        guard let handle else { return }
        var messageIDs: [Int32] = []
        for topic in settings.topics {
            var messageID: Int32 = 0
            let result = mosquitto_subscribe(handle, &messageID, topic, Int32(settings.qos))
            if result != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                logger.error("could not subscribe", metadata: ["topic": "\(topic)", "error": "\(Self.describe(result))"])
            } else {
                messageIDs.append(messageID)
            }
        }
        if let sparkplug {
            subscribeToOwnState(handle, sparkplug, awaiting: messageIDs)
        }
    }

    private func didDisconnect(code: Int32) {
        if let handle { Self.forwardLibraryLog(handle, true) }
        connection.disconnected()
        sparkplug?.disconnected()
        guard code != 0 else { return }
        logger.warning(
            "lost connection to MQTT broker; reconnecting with back-off",
            metadata: [
                "broker": "\(settings.host):\(settings.port)", "reason": "\(Self.describe(code))",
                "max_delay_s": "\(settings.reconnectMaxSeconds)",
            ])
    }

    private func didSubscribe(messageID: Int32, granted: [Int32]) {
        if let sparkplug {
            let acknowledged = sparkplug.subscriptionAcknowledged(messageID)
            if acknowledged.isStateTopic {
                let refused = granted.contains { $0 >= 0x80 }
                logger.log(
                    level: refused ? .error : .info,
                    refused ? "sparkplug: broker refused the subscription to the own STATE topic" : "sparkplug: subscribed",
                    metadata: ["topic": "\(sparkplug.stateTopic)", "granted_qos": "\(granted)"])
            } else {
                logSubscription(granted: granted)
            }
            if let handle, let online = acknowledged.publishOnline {
                publishOnline(handle, sparkplug, online, reason: "subscriptions acknowledged")
            }
            return
        }
        logSubscription(granted: granted)
    }

    /// Logs a SUBACK of the configured topics, or the broker's refusal of one.
    private func logSubscription(granted: [Int32]) {
        if granted.contains(where: { $0 >= 0x80 }) {
            logger.error(
                "broker refused a subscription",
                metadata: [
                    "topics": "\(settings.topics.joined(separator: ", "))", "granted": "\(granted)",
                ])
        } else {
            logger.info(
                "subscribed",
                metadata: [
                    "topics": "\(settings.topics.joined(separator: ", "))", "granted_qos": "\(granted)",
                ])
        }
    }

    /// Turns forwarding of libmosquitto's own log lines (errors and warnings only) on or off.
    static func forwardLibraryLog(_ handle: OpaquePointer, _ enabled: Bool) {
        guard enabled else {
            mosquitto_log_callback_set(handle, nil)
            return
        }
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard let userdata, let text, level == MOSQ_LOG_ERR || level == MOSQ_LOG_WARNING else { return }
            Unmanaged<MQTTSource>.fromOpaque(userdata).takeUnretainedValue().didLog(level: level, text: String(cString: text))
        }
    }

    /// libmosquitto's own errors and warnings, which alone say why a TLS handshake failed
    /// (e.g. "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"). Its
    /// messages at these levels name files and OpenSSL errors, never credentials.
    private func didLog(level: Int32, text: String) {
        let metadata: Logger.Metadata = ["broker": "\(settings.host):\(settings.port)"]
        if level == MOSQ_LOG_ERR {
            logger.error("libmosquitto: \(text)", metadata: metadata)
        } else if level == MOSQ_LOG_WARNING {
            logger.warning("libmosquitto: \(text)", metadata: metadata)
        }
    }

    private func didReceive(_ message: mosquitto_message) {
        let receivedAt = WallClock.nanos()
        guard let topicPointer = message.topic else { return }
        let topic = UnsafeRawBufferPointer(start: topicPointer, count: strlen(topicPointer))
        var payload = UnsafeRawBufferPointer(start: message.payload, count: Int(max(0, message.payloadlen)))
        if let sparkplug, sparkplug.isOwnStateTopic(topic) {
            // The host's own STATE is the MQTT layer's business, not data: never into the ring.
            didReceiveOwnState(payload, sparkplug)
            return
        }
        let payloadBytes = payload.count
        let room = ring.maxMessageBytes - topic.count
        let truncated = payload.count > room
        if truncated {
            // 8 bytes of the room keep the full size, for the quarantine record.
            payload = UnsafeRawBufferPointer(rebasing: payload.prefix(max(0, room - 8)))
        }
        let packetID = message.qos > 0 ? UInt16(truncatingIfNeeded: message.mid) : 0
        switch ring.push(
            topic: topic, payload: payload, receivedAtNanos: receivedAt, packetID: packetID,
            retained: message.retain, payloadBytes: payloadBytes)
        {
        case .pushed(let waitedNanos):
            if waitedNanos > 0 {
                connection.waited(nanos: UInt64(waitedNanos))
            }
        case .tooLarge:
            // Unreachable: the payload was cut to fit above.
            logger.critical("message does not fit the ring even truncated", metadata: ["topic_bytes": "\(topic.count)"])
        case .closed:
            // Only after the pipeline stopped for good; the broker already counts this message delivered.
            logger.critical(
                "pipeline stopped; message not ingested", metadata: ["topic": "\(String(decoding: topic, as: UTF8.self))"])
        }
        connection.received(truncated: truncated)
    }

    // MARK: Helpers

    private func check(_ code: Int32, _ action: String) throws(MQTTSourceError) {
        guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw .setup("could not \(action): \(Self.describe(code))")
        }
    }

    static func describe(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) {
            return String(cString: strerror(errno))
        }
        return String(cString: mosquitto_strerror(code))
    }
}
