// The only simulator file that touches libmosquitto. Each connection runs the library's own
// network thread (`mosquitto_loop_start`); its callbacks reach Swift through `userdata` as an
// unretained `Link`, a final class holding only constants, atomics and a mutex, so it is safe on
// that thread. A connection with subscriptions (Sparkplug B's NCMD topics) subscribes in its
// `on_connect` callback, so again after every reconnect, and before anything it publishes; what
// arrives waits in its `Link` until the publishing loop takes it.
// The publishing loop counts a message as sent just before `mosquitto_publish` and the
// `on_publish` callback counts it acknowledged (QoS 0: written to the socket; QoS 1: PUBACK;
// QoS 2: PUBCOMP); the difference is the in-flight window the loop keeps bounded.

import CMosquitto
import Foundation
import Synchronization

/// Publishes over one or more MQTT connections with libmosquitto, keeping the number of
/// unacknowledged messages bounded and waiting for every acknowledgement before disconnecting.
///
/// Used from one thread (the publishing loop). One publisher per process: `connect()` calls
/// `mosquitto_lib_init` and `shutdown()` calls `mosquitto_lib_cleanup`.
final class MQTTPublisher {
    /// MQTT protocol version spoken to the broker.
    enum ProtocolVersion: String, CaseIterable, Sendable {
        /// MQTT 3.1.1.
        case v311 = "3.1.1"
        /// MQTT 5.
        case v5 = "5"
    }

    /// Broker address, session, credentials and TLS settings.
    struct Settings: Sendable, Equatable {
        /// Broker host name or address.
        var host = "127.0.0.1"
        /// Broker port.
        var port = 1883
        /// Client id; with several connections, connection `k` uses `<clientID>-<k>`.
        var clientID = "sensors-sim-\(getpid())"
        /// MQTT version.
        var protocolVersion = ProtocolVersion.v5
        /// Publish QoS, 0–2.
        var qos = 1
        /// User name, if the broker wants one.
        var username: String?
        /// Password (from `SIM_MQTT_PASSWORD`), sent with `username`.
        var password: String?
        /// CA certificate file; setting it turns TLS on.
        var caFile: String?
        /// Client certificate file (needs `keyFile`).
        var certFile: String?
        /// Client private key file (needs `certFile`).
        var keyFile: String?
        /// Skip the check that the server certificate matches the host name.
        var insecure = false
        /// Number of MQTT connections; devices are spread over them.
        var connections = 1
        /// Unacknowledged messages allowed across all connections before publishing waits.
        var inFlightLimit = 10_000
        /// Seconds to wait for a broker's CONNACK.
        var connackTimeoutSeconds = 10.0
        /// Seconds a publish may keep failing for lack of a connection before the run gives up.
        var reconnectGiveUpSeconds = 30.0
        /// Topic filters connection `k` subscribes to (QoS 1) at `subscriptions[k]`, each time it
        /// connects; none for a connection past the end.
        var subscriptions: [[String]] = []
    }

    /// A message received on a subscription.
    struct ReceivedMessage: Sendable, Equatable {
        /// Its topic.
        var topic: String
        /// Its payload bytes.
        var payload: [UInt8]
    }

    /// Callback state of one connection, shared with libmosquitto's network thread.
    /// Sendable for real: every stored property is a constant, an atomic or a mutex.
    final class Link: Sendable {
        /// Most received messages kept until `takeReceived()`; later ones are dropped.
        static let receivedLimit = 10_000
        /// Messages handed to `mosquitto_publish` (counted just before the call).
        let sent = Atomic<Int>(0)
        /// Messages reported by `on_publish`.
        let acknowledged = Atomic<Int>(0)
        /// Code of the last CONNACK; -1 until one arrives.
        let connackCode = Atomic<Int>(-1)
        /// Code of the last disconnection (`on_disconnect`); -1 until the connection drops.
        let disconnectCode = Atomic<Int>(-1)
        /// Topic filters to subscribe to on every CONNACK.
        let subscriptions: [String]
        /// Messages received and not yet taken, oldest first.
        let received = Mutex<[ReceivedMessage]>([])

        /// Creates the state of a connection that has not connected yet.
        init(subscriptions: [String] = []) {
            self.subscriptions = subscriptions
        }

        /// Sent but not yet acknowledged.
        var outstanding: Int {
            sent.load(ordering: .relaxed) - acknowledged.load(ordering: .relaxed)
        }
    }

    /// The settings this publisher was created with.
    let settings: Settings
    private var clients: [OpaquePointer] = []
    private let links: [Link]
    private var libraryInitialised = false

    /// Creates a publisher; nothing is connected until `connect()`.
    init(settings: Settings) {
        precondition(settings.connections > 0, "at least one connection")
        self.settings = settings
        links = (0..<settings.connections).map { connection in
            Link(subscriptions: connection < settings.subscriptions.count ? settings.subscriptions[connection] : [])
        }
    }

    deinit {
        shutdown()
    }

    /// Number of connections.
    var connectionCount: Int { links.count }

    /// Messages sent but not yet acknowledged, over all connections.
    var outstanding: Int { links.reduce(0) { $0 + $1.outstanding } }

    /// Opens every connection and waits for each CONNACK. Throws, naming `host:port` and the
    /// library's or broker's reason, if any connection fails; then nothing stays open.
    func connect() throws(SimError) {
        if !libraryInitialised {
            _ = mosquitto_lib_init()
            libraryInitialised = true
        }
        do {
            for position in links.indices { try open(position) }
        } catch {
            shutdown()
            throw error
        }
    }

    private var address: String { "\(settings.host):\(settings.port)" }

    private func open(_ position: Int) throws(SimError) {
        let clientID = settings.connections == 1 ? settings.clientID : "\(settings.clientID)-\(position)"
        let userdata = Unmanaged.passUnretained(links[position]).toOpaque()
        guard let client = mosquitto_new(clientID, true, userdata) else {
            throw SimError("cannot create an MQTT client \(clientID): \(String(cString: strerror(errno)))")
        }
        clients.append(client)
        let version = settings.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(
            mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, version),
            "setting MQTT version \(settings.protocolVersion.rawValue)")
        _ = mosquitto_reconnect_delay_set(client, 1, 10, true)
        mosquitto_connect_callback_set(client) { client, userdata, code in
            guard let userdata else { return }
            let link = Unmanaged<Link>.fromOpaque(userdata).takeUnretainedValue()
            if code == 0 {
                for topic in link.subscriptions { _ = mosquitto_subscribe(client, nil, topic, 1) }
            }
            link.connackCode.store(Int(code), ordering: .releasing)
        }
        mosquitto_message_callback_set(client) { _, userdata, message in
            guard let userdata, let message, let topic = message.pointee.topic else { return }
            let link = Unmanaged<Link>.fromOpaque(userdata).takeUnretainedValue()
            let count = Int(message.pointee.payloadlen)
            let payload =
                count > 0 && message.pointee.payload != nil
                ? Array(UnsafeRawBufferPointer(start: message.pointee.payload, count: count)) : []
            let received = ReceivedMessage(topic: String(cString: topic), payload: payload)
            link.received.withLock { queue in
                if queue.count < Link.receivedLimit { queue.append(received) }
            }
        }
        mosquitto_disconnect_callback_set(client) { _, userdata, code in
            guard let userdata else { return }
            Unmanaged<Link>.fromOpaque(userdata).takeUnretainedValue().disconnectCode.store(Int(code), ordering: .releasing)
        }
        mosquitto_publish_callback_set(client) { _, userdata, _ in
            guard let userdata else { return }
            Unmanaged<Link>.fromOpaque(userdata).takeUnretainedValue().acknowledged.wrappingAdd(1, ordering: .relaxed)
        }
        if let username = settings.username {
            try check(mosquitto_username_pw_set(client, username, settings.password), "setting --username \(username)")
        }
        if let caFile = settings.caFile {
            for (option, path) in [("--cafile", caFile), ("--cert", settings.certFile), ("--key", settings.keyFile)] {
                if let path, access(path, R_OK) != 0 {
                    throw SimError("cannot read \(option) \(path): \(String(cString: strerror(errno)))")
                }
            }
            try check(
                mosquitto_tls_set(client, caFile, nil, settings.certFile, settings.keyFile, nil),
                "setting up TLS with --cafile \(caFile)")
            if settings.insecure {
                try check(mosquitto_tls_insecure_set(client, true), "setting --insecure")
            }
        }
        let tlsHint =
            settings.caFile == nil
            ? ""
            : " (TLS: check --cafile, --cert/--key, and that the broker's certificate names --host \(settings.host) or use --insecure)"
        let connected = mosquitto_connect(client, settings.host, Int32(settings.port), 60)
        if connected != Int32(MOSQ_ERR_SUCCESS.rawValue) {
            throw SimError("cannot connect to MQTT broker at \(address): \(Self.describe(connected))\(tlsHint)")
        }
        try check(mosquitto_loop_start(client), "starting the network thread for \(address)")
        let deadline = SystemClock.monotonicNanoseconds() + UInt64(settings.connackTimeoutSeconds * 1e9)
        while links[position].connackCode.load(ordering: .acquiring) < 0 {
            let dropped = links[position].disconnectCode.load(ordering: .acquiring)
            if dropped >= 0 {
                throw SimError(
                    "MQTT broker at \(address) closed the connection before accepting client \(clientID): \(Self.describe(Int32(dropped)))\(tlsHint)"
                )
            }
            if SystemClock.monotonicNanoseconds() > deadline {
                throw SimError("MQTT broker at \(address) sent no CONNACK within \(settings.connackTimeoutSeconds) s")
            }
            SystemClock.sleep(nanoseconds: 1_000_000)
        }
        let code = Int32(links[position].connackCode.load(ordering: .acquiring))
        if code != 0 {
            let reason = settings.protocolVersion == .v5 ? mosquitto_reason_string(code) : mosquitto_connack_string(code)
            throw SimError(
                "MQTT broker at \(address) refused client \(clientID): \(reason.map { String(cString: $0) } ?? "code \(code)")")
        }
    }

    /// Publishes one message on connection `connection`, first waiting while that connection
    /// has its share of `inFlightLimit` unacknowledged. While the connection is down, retries
    /// every 10 ms and throws after `reconnectGiveUpSeconds`. Returns false, without
    /// publishing, when `stop` is requested while waiting.
    func publish(topic: String, payload: [UInt8], connection: Int, stop: StopSignal) throws(SimError) -> Bool {
        let link = links[connection]
        let limit = max(1, settings.inFlightLimit / links.count)
        while link.outstanding >= limit {
            if stop.isRequested { return false }
            SystemClock.sleep(nanoseconds: 50_000)
        }
        var failingSince: UInt64?
        while true {
            link.sent.wrappingAdd(1, ordering: .relaxed)
            let result = payload.withUnsafeBytes { bytes in
                mosquitto_publish(
                    clients[connection], nil, topic, Int32(bytes.count), bytes.baseAddress, Int32(settings.qos), false)
            }
            if result == Int32(MOSQ_ERR_SUCCESS.rawValue) { return true }
            link.sent.wrappingSubtract(1, ordering: .relaxed)
            guard result == Int32(MOSQ_ERR_NO_CONN.rawValue) || result == Int32(MOSQ_ERR_CONN_LOST.rawValue) else {
                throw SimError("publishing to \(topic) on \(address) failed: \(Self.describe(result))")
            }
            let now = SystemClock.monotonicNanoseconds()
            let since = failingSince ?? now
            failingSince = since
            if now - since > UInt64(settings.reconnectGiveUpSeconds * 1e9) {
                throw SimError(
                    "lost the connection to MQTT broker at \(address) and could not publish for \(settings.reconnectGiveUpSeconds) s: \(Self.describe(result))"
                )
            }
            if stop.isRequested { return false }
            SystemClock.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Takes the messages received on the subscriptions so far, connection by connection, each
    /// connection's in the order they arrived.
    func takeReceived() -> [ReceivedMessage] {
        var taken: [ReceivedMessage] = []
        for link in links {
            link.received.withLock { queue in
                taken += queue
                queue.removeAll()
            }
        }
        return taken
    }

    /// Waits until every published message is acknowledged or `timeoutSeconds` pass; returns
    /// how many are still unacknowledged.
    func drain(timeoutSeconds: Double) -> Int {
        let deadline = SystemClock.monotonicNanoseconds() + UInt64(max(0, timeoutSeconds) * 1e9)
        while outstanding > 0 && SystemClock.monotonicNanoseconds() < deadline {
            SystemClock.sleep(nanoseconds: 1_000_000)
        }
        return max(0, outstanding)
    }

    /// Disconnects, stops the network threads and frees the clients. Idempotent.
    func shutdown() {
        for client in clients {
            _ = mosquitto_disconnect(client)
            _ = mosquitto_loop_stop(client, false)
            mosquitto_destroy(client)
        }
        clients.removeAll()
        if libraryInitialised {
            _ = mosquitto_lib_cleanup()
            libraryInitialised = false
        }
    }

    private func check(_ result: Int32, _ action: String) throws(SimError) {
        guard result != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return }
        throw SimError("\(action) failed: \(Self.describe(result))")
    }

    /// The library's words for a return code; the system's for `MOSQ_ERR_ERRNO`.
    private static func describe(_ result: Int32) -> String {
        if result == Int32(MOSQ_ERR_ERRNO.rawValue) { return String(cString: strerror(errno)) }
        return mosquitto_strerror(result).map { String(cString: $0) } ?? "error \(result)"
    }
}
