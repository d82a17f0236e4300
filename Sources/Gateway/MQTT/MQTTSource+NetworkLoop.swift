// The network thread of `MQTTSource`.
//
// Why not `mosquitto_loop_start`: its thread runs `mosquitto_loop_forever`, which returns for
// good on a TLS or protocol error (a broker certificate the CA does not vouch for, a broker that
// demands a client certificate), so the gateway would stop reconnecting after one such failure.
// The thread here runs an equivalent loop, marked threaded with `mosquitto_threaded_set` (same
// PUBACK behaviour as `loop_start`), and reconnects with back-off whenever the loop gives up.
//
// Why not `mosquitto_loop_forever` itself: each of its passes is one `pselect` and then one
// packet (`mosquitto_loop_read` reads as many packets as there are QoS 1/2 messages *sent* in
// flight, which for a subscriber is none, so one), whatever `max_packets` says. Under load that
// is a `pselect` per message, a large share of the network thread's time at QoS 0. The loop here
// reads on with `mosquitto_loop_read` while the socket still has bytes, and writes queued PUBACKs
// every few packets, so `pselect` runs only once the socket is drained.
//
// Under load it then waits before the next `pselect` (`batchingMicros`), so that the broker's
// next messages arrive together rather than one wake-up and a few `read`s each: the network
// thread's CPU per message falls by more than half, and the broker's too (its sends coalesce
// while the gateway is not reading). At QoS 0 nothing waits for the gateway, so it waits 2 ms;
// at QoS 1 the broker's in-flight window (100 messages in the recommended config) waits for its
// PUBACKs, so 200 µs keeps that bound (500,000 msg/s) far away. The wait happens only under
// load, where milliseconds are nothing against rollups of seconds. The figures behind these
// choices are in Benchmarks/README.md (scripts/loadtest.py).
//
// While it drains, libmosquitto's reads of the socket go through a 64 KiB buffer
// (Sources/CMQTTReadBuffer): one read(2) for many packets instead of about four per packet.

import CMQTTReadBuffer
import CMosquitto
import Foundation
import Logging
import Telemetry

extension MQTTSource {
    /// The network thread: runs libmosquitto's loop (which reconnects by itself after most
    /// failures) and, whenever the loop gives up, waits with back-off and reconnects, until `stop`.
    func runNetworkLoop() {
        defer { networkThreadEnded.signal() }
        // Set from the thread itself, Foundation passes the name on to the OS (on Linux it does
        // not when set before `start`): top, perf and scripts/loadtest.py find the thread by it.
        Thread.current.name = "mosquitto loop"
        guard let handle else { return }
        var delay = settings.reconnectInitialSeconds
        // A connection accepted since the last failure resets the back-off.
        var connectionsSeen = connection.acceptedConnections
        while !stopping.load(ordering: .acquiring) {
            let code = runUntilFatalError(handle)
            if stopping.load(ordering: .acquiring) { return }
            if connection.acceptedConnections != connectionsSeen {
                connectionsSeen = connection.acceptedConnections
                delay = settings.reconnectInitialSeconds
            }
            logger.warning(
                "MQTT network loop stopped; reconnecting with back-off",
                metadata: [
                    "broker": "\(settings.host):\(settings.port)", "reason": "\(Self.describe(code))", "delay_s": "\(delay)",
                ])
            guard sleepUnlessStopping(seconds: delay) else { return }
            delay = min(delay * 2, settings.reconnectMaxSeconds)
            let result = reconnect(handle)
            if result != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                logger.warning(
                    "reconnection attempt failed; retrying with back-off",
                    metadata: [
                        "broker": "\(settings.host):\(settings.port)", "error": "\(Self.describe(result))",
                    ])
            }
        }
    }

    /// Packets read after one `pselect` before the loop goes back to it (and so to keepalive
    /// and writes): bounds the time between two keepalive checks under a flood.
    private static let packetsPerWakeup = 4096
    /// While reading on, queued packets (QoS 1 PUBACKs) are written after this many packets,
    /// well inside the broker's in-flight window (Mosquitto's default 20).
    private static let packetsPerWrite = 8
    /// A drain of at least this many packets means load: wait `batchingMicros` before `pselect`.
    private static let batchingAfterPackets = 8

    /// libmosquitto's `mosquitto_loop_forever` (2.0.11), with the same reconnect delays and the
    /// same errors that end it, except that after each pass it drains the socket (see the file
    /// header), that a Sparkplug B host publishes what its session has queued between passes
    /// (waiting at most `sparkplugPollMillis` in `pselect` for it), and that it ends as soon as
    /// `stop` has been called. Returns the error that ended it.
    private func runUntilFatalError(_ handle: OpaquePointer) -> Int32 {
        let success = Int32(MOSQ_ERR_SUCCESS.rawValue)
        let keepaliveMillis = Int32(settings.keepaliveSeconds) * 1000
        let timeoutMillis = sparkplug == nil ? keepaliveMillis : min(keepaliveMillis, Self.sparkplugPollMillis)
        var reconnects = 0
        var connectionsSeen = connection.acceptedConnections
        while !stopping.load(ordering: .acquiring) {
            var code = mosquitto_loop(handle, timeoutMillis, 1)
            if code == success {
                let drained = readWhileReady(handle)
                code = drained.code
                if code == success && drained.packets >= Self.batchingAfterPackets { usleep(batchingMicros) }
            }
            if code == success {
                if let sparkplug { serviceSparkplug(handle, sparkplug) }
                continue
            }
            if stopping.load(ordering: .acquiring) || Self.endsLoop(code) || errno == EPROTO { return code }
            if connection.acceptedConnections != connectionsSeen {
                connectionsSeen = connection.acceptedConnections
                reconnects = 0
            }
            repeat {
                let initial = settings.reconnectInitialSeconds
                let maximum = settings.reconnectMaxSeconds
                let delay = maximum > initial ? min(initial * (reconnects + 1) * (reconnects + 1), maximum) : initial
                if delay < maximum { reconnects += 1 }
                guard sleepUnlessStopping(seconds: delay) else { return success }
                code = reconnect(handle)
            } while code != success
        }
        return success
    }

    /// After a pass of `mosquitto_loop` found the socket readable: reads packet after packet
    /// until a read would block (libmosquitto's reads then leave `EAGAIN` in `errno`) or
    /// `packetsPerWakeup` were read, writing queued packets every `packetsPerWrite` packets and
    /// at the end. Messages reach `didReceive` exactly as from `mosquitto_loop`. Returns the
    /// first error (or success) and how many packets it read. The socket's reads are buffered
    /// meanwhile, and the buffer is always empty when this returns without an error.
    ///
    /// With `fsync: always` the ring's msyncs are grouped here: the messages read in this loop
    /// are synced together just before the write that sends their PUBACKs (libmosquitto writes
    /// nothing from `mosquitto_loop_read` in threaded mode), instead of one msync per message.
    /// The first message of a wake-up, read inside `mosquitto_loop` (which may write its PUBACK
    /// at once), keeps its own msync in the callback.
    private func readWhileReady(_ handle: OpaquePointer) -> (code: Int32, packets: Int) {
        let success = Int32(MOSQ_ERR_SUCCESS.rawValue)
        ring.deferSyncs()
        defer { ring.syncDeferred() }
        // One read(2) of up to 64 KiB instead of about four per packet (Sources/CMQTTReadBuffer).
        // On an error the connection is gone, and so are the bytes still buffered for it.
        mqtt_read_buffer_arm(mosquitto_socket(handle))
        defer { mqtt_read_buffer_release() }
        var packets = 0
        while true {
            if packets >= Self.packetsPerWakeup {
                // Back to `pselect`, but only with the buffer empty: it cannot see those bytes.
                mqtt_read_buffer_stop_refilling()
                if mqtt_read_buffer_pending() == 0 { break }
            }
            errno = 0
            let code = mosquitto_loop_read(handle, 1)
            if code != success { return (code, packets) }
            // The socket is drained once a read would block and nothing is left in the buffer.
            // (Not `errno` alone: the message callback may leave EAGAIN there from a wait of
            // its own while bytes are still buffered, and going back to `pselect` then would
            // strand them.)
            if mqtt_read_buffer_pending() == 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            packets += 1
            if packets % Self.packetsPerWrite == 0 && mosquitto_want_write(handle) {
                ring.syncDeferred()
                let written = mosquitto_loop_write(handle, 1)
                ring.deferSyncs()
                if written != success { return (written, packets) }
            }
        }
        ring.syncDeferred()
        return (mosquitto_want_write(handle) ? mosquitto_loop_write(handle, 1) : success, packets)
    }

    /// How long the loop lets messages gather under load (see the file header): 2 ms at QoS 0,
    /// 200 µs when the broker's in-flight window waits for PUBACKs.
    private var batchingMicros: UInt32 { settings.qos == 0 ? 2_000 : 200 }

    /// The errors on which `mosquitto_loop_forever` gives up instead of reconnecting by itself.
    private static func endsLoop(_ code: Int32) -> Bool {
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN, MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        return fatal.contains { Int32($0.rawValue) == code }
    }

    /// `mosquitto_reconnect`, after giving a Sparkplug B host's will a fresh timestamp: each
    /// CONNECT has its own T, which the online STATE that follows repeats.
    private func reconnect(_ handle: OpaquePointer) -> Int32 {
        if let sparkplug {
            let result = setSparkplugWill(handle, sparkplug)
            if result != Int32(MOSQ_ERR_SUCCESS.rawValue) {
                logger.error(
                    "sparkplug: could not renew the will; this CONNECT carries the previous one, with its older timestamp",
                    metadata: ["topic": "\(sparkplug.stateTopic)", "error": "\(Self.describe(result))"])
            }
        }
        return mosquitto_reconnect(handle)
    }

    /// Sleeps `seconds` in short steps; false as soon as `stop` has been called.
    private func sleepUnlessStopping(seconds: Int) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds) * 1_000_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if stopping.load(ordering: .acquiring) { return false }
            usleep(50_000)
        }
        return !stopping.load(ordering: .acquiring)
    }
}
