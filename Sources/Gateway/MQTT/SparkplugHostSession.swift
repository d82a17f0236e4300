import Dispatch
import Synchronization
import Telemetry

/// The gateway as a Sparkplug B 3.0.0 host application on its MQTT connection: what its STATE
/// says, when it may say it, and the rebirth requests waiting to go out. `MQTTSource+Sparkplug.swift`
/// does the publishing; this type decides, so the rules are in one place:
///
/// * every CONNECT carries a will `{"online":false,"timestamp":T}` with a fresh T (`beginConnect`);
/// * once the broker acknowledged every subscription of the connection, `{"online":true}` with the
///   same T goes out (`connected`, `subscriptionAcknowledged`), and again whenever the gateway
///   reads its own STATE saying otherwise (a stale will) while it is online (`onlineToRepublish`);
/// * rebirth requests go out only while online (`mayPublishCommands`);
/// * at a clean shutdown `{"online":false}` with the time of the shutdown goes out, on the network
///   thread like every other STATE so that it is the last, and the stopping thread waits until the
///   broker acknowledged it (`requestOffline`, `offlineToPublish`, `published`,
///   `waitUntilOfflineSettled`).
///
/// Thread safety: everything mutable is behind one lock. The network thread calls every method
/// except `requestOffline` and `waitUntilOfflineSettled`, which the stopping thread calls.
final class SparkplugHostSession: Sendable {
    /// How the offline STATE of a shutdown ended.
    enum OfflineOutcome: Sendable, Equatable {
        /// The broker acknowledged it (QoS 1 PUBACK).
        case acknowledged
        /// There was no connection: the broker has published (or will publish) the will instead.
        case notConnected
        /// libmosquitto refused to publish it, or the connection went away before the PUBACK.
        case failed
    }

    /// The entry of `ingest.subscriptions` this session runs.
    let settings: SparkplugHostSettings
    /// Rebirth requests from the pipeline: the engine's `SparkplugCommandSink`.
    let commands = SparkplugCommandQueue()
    /// `spBv1.0/STATE/{host_id}`.
    let stateTopic: String
    /// `stateTopic`'s bytes, compared with every received topic.
    private let stateTopicBytes: [UInt8]

    private enum OfflineStep {
        case notRequested
        case requested
        case published(messageID: Int32)
        case settled(OfflineOutcome)
    }

    private struct State {
        /// T of the current (or next) connection: its will's and its online message's timestamp.
        var connectTimestamp: Int64 = 0
        var connected = false
        /// Subscriptions of this connection the broker has not acknowledged yet.
        var awaitedSubscriptions: Set<Int32> = []
        var stateSubscription: Int32?
        /// The online STATE of this connection has been published.
        var online = false
        var offline = OfflineStep.notRequested
    }

    private let state = Mutex(State())
    /// Signalled once when the shutdown's offline STATE is settled.
    private let offlineSettled = DispatchSemaphore(value: 0)

    /// A session for the host `settings` describes, not connected yet.
    init(settings: SparkplugHostSettings) {
        self.settings = settings
        stateTopic = settings.stateTopic
        stateTopicBytes = Array(settings.stateTopic.utf8)
    }

    /// Whether `topic` is this host's own STATE topic, whose messages the MQTT layer handles.
    func isOwnStateTopic(_ topic: UnsafeRawBufferPointer) -> Bool {
        topic.count == stateTopicBytes.count && topic.elementsEqual(stateTopicBytes)
    }

    /// Starts a connection attempt: a new T, and the will the CONNECT must carry.
    func beginConnect(atMillis now: Int64) -> SparkplugStatePayload {
        state.withLock { state in
            state.connectTimestamp = now
            return SparkplugStatePayload(online: false, timestamp: now)
        }
    }

    /// The broker accepted the connection and the subscriptions `messageIDs` are sent, among them
    /// the own STATE topic's (`stateSubscription`). Returns the online STATE to publish now when
    /// no subscription is waiting for its acknowledgement (none could be sent).
    func connected(awaiting messageIDs: [Int32], stateSubscription: Int32?) -> SparkplugStatePayload? {
        state.withLock { state in
            state.connected = true
            state.online = false
            state.awaitedSubscriptions = Set(messageIDs)
            state.stateSubscription = stateSubscription
            return state.awaitedSubscriptions.isEmpty ? Self.onlinePayload(state) : nil
        }
    }

    /// The broker acknowledged subscription `messageID`: whether it was the own STATE topic's,
    /// and the online STATE to publish now if it was the last one awaited.
    func subscriptionAcknowledged(_ messageID: Int32) -> (isStateTopic: Bool, publishOnline: SparkplugStatePayload?) {
        state.withLock { state in
            let isStateTopic = state.stateSubscription == messageID
            guard state.awaitedSubscriptions.remove(messageID) != nil, state.awaitedSubscriptions.isEmpty else {
                return (isStateTopic, nil)
            }
            return (isStateTopic, Self.onlinePayload(state))
        }
    }

    /// The online STATE was handed to libmosquitto.
    func onlinePublished() {
        state.withLock { $0.online = true }
    }

    /// The connection is gone. An offline STATE still awaiting its PUBACK has failed: the broker
    /// publishes the will instead (unless the gateway's DISCONNECT came first).
    func disconnected() {
        let settled = state.withLock { state in
            state.connected = false
            state.online = false
            state.awaitedSubscriptions = []
            switch state.offline {
            case .requested, .published:
                state.offline = .settled(.failed)
                return true
            case .notRequested, .settled:
                return false
            }
        }
        if settled { offlineSettled.signal() }
    }

    /// The gateway read its own STATE topic (`received`: its payload, `nil` when it is not a STATE
    /// payload). Returns the online STATE to publish again when it says anything but online
    /// while this connection is online, e.g. the retained will of a connection that was lost.
    func onlineToRepublish(after received: SparkplugStatePayload?) -> SparkplugStatePayload? {
        guard received?.online != true else { return nil }
        return state.withLock { state in
            state.online ? Self.onlinePayload(state) : nil
        }
    }

    /// Whether commands (rebirth requests) may be published: online, and not shutting down.
    var mayPublishCommands: Bool {
        state.withLock { $0.online && Self.mayStayOnline($0) }
    }

    /// Whether the online STATE of this connection has been published (for tests and the log).
    var isOnline: Bool {
        state.withLock { $0.online }
    }

    /// The online STATE of the current connection, unless a shutdown has begun.
    private static func onlinePayload(_ state: State) -> SparkplugStatePayload? {
        mayStayOnline(state) ? SparkplugStatePayload(online: true, timestamp: state.connectTimestamp) : nil
    }

    /// Whether no shutdown has begun: until then online may be published.
    private static func mayStayOnline(_ state: State) -> Bool {
        if case .notRequested = state.offline { return true }
        return false
    }

    // MARK: Shutdown

    /// Asks the network thread to publish the offline STATE (stopping thread). False when there
    /// is no connection, so nothing is to be waited for.
    func requestOffline() -> Bool {
        state.withLock { state in
            guard case .notRequested = state.offline else { return false }
            guard state.connected else {
                state.offline = .settled(.notConnected)
                return false
            }
            state.offline = .requested
            return true
        }
    }

    /// The offline STATE to publish now, once it has been requested (network thread); the
    /// caller reports the result with `offlinePublished(messageID:)` or `offlineFailed()`.
    func offlineToPublish(atMillis now: Int64) -> SparkplugStatePayload? {
        state.withLock { state in
            guard case .requested = state.offline else { return nil }
            return SparkplugStatePayload(online: false, timestamp: now)
        }
    }

    /// The offline STATE was handed to libmosquitto as message `messageID`.
    func offlinePublished(messageID: Int32) {
        state.withLock { $0.offline = .published(messageID: messageID) }
    }

    /// libmosquitto refused the offline STATE.
    func offlineFailed() {
        state.withLock { $0.offline = .settled(.failed) }
        offlineSettled.signal()
    }

    /// libmosquitto reports message `messageID` sent (QoS 0) or acknowledged (QoS 1).
    func published(messageID: Int32) {
        let settled = state.withLock { state in
            guard case .published(let offlineID) = state.offline, offlineID == messageID else { return false }
            state.offline = .settled(.acknowledged)
            return true
        }
        if settled { offlineSettled.signal() }
    }

    /// Waits up to `timeoutMillis` for the offline STATE to settle (stopping thread); `nil` when
    /// it did not in time.
    func waitUntilOfflineSettled(timeoutMillis: Int) -> OfflineOutcome? {
        _ = offlineSettled.wait(timeout: .now() + .milliseconds(timeoutMillis))
        return state.withLock { state in
            if case .settled(let outcome) = state.offline { return outcome }
            return nil
        }
    }
}
