import Atomics

/// What the message source (the MQTT client) tells the rest of the gateway: whether it is
/// connected and since when, how often it reconnected, how many messages it received, how long
/// it waited for ring space.
///
/// Written by the source's network thread and read by the engine thread and the status, so each
/// value is an atomic; all relaxed, since none guards other memory (the ring has its own
/// ordering). Hence `Sendable`.
public final class ConnectionState: Sendable {
    /// The values at one moment, as the status shows them.
    public struct Snapshot: Sendable, Equatable {
        public var isConnected: Bool
        /// Wall-clock milliseconds of the current connection's acceptance, 0 while disconnected.
        public var connectedSinceMillis: Int64
        public var messagesReceived: UInt64
        public var backPressureNanos: UInt64
        public var truncatedMessages: UInt64
        /// Connections the broker accepted since start after the first one: how often the
        /// connection was lost and made again.
        public var reconnects: UInt64
    }

    private let connected = ManagedAtomic<Bool>(false)
    private let connectedSince = ManagedAtomic<Int64>(0)
    private let received = ManagedAtomic<UInt64>(0)
    private let waitedNanos = ManagedAtomic<UInt64>(0)
    private let truncated = ManagedAtomic<UInt64>(0)
    private let accepted = ManagedAtomic<UInt64>(0)

    public init() {}

    /// Wall-clock milliseconds of the current connection's acceptance, 0 while disconnected.
    public var connectedSinceMillis: Int64 { connectedSince.load(ordering: .relaxed) }

    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// Connections the broker accepted since start: the source's network loop compares it with
    /// what it saw before to tell that a connection succeeded since (and reset its back-off).
    public var acceptedConnections: UInt64 { accepted.load(ordering: .relaxed) }

    public var snapshot: Snapshot {
        Snapshot(
            isConnected: isConnected, connectedSinceMillis: connectedSinceMillis,
            messagesReceived: received.load(ordering: .relaxed),
            backPressureNanos: waitedNanos.load(ordering: .relaxed), truncatedMessages: truncated.load(ordering: .relaxed),
            reconnects: max(acceptedConnections, 1) - 1)
    }

    /// The broker accepted a connection at `millis`.
    public func connected(atMillis millis: Int64) {
        connectedSince.store(millis, ordering: .relaxed)
        connected.store(true, ordering: .relaxed)
        accepted.wrappingIncrement(ordering: .relaxed)
    }

    /// The connection is gone.
    public func disconnected() {
        connected.store(false, ordering: .relaxed)
        connectedSince.store(0, ordering: .relaxed)
    }

    /// A message was copied into the ring; `truncated` if it was larger than a ring record holds.
    public func received(truncated wasTruncated: Bool) {
        received.wrappingIncrement(ordering: .relaxed)
        if wasTruncated { truncated.wrappingIncrement(ordering: .relaxed) }
    }

    /// The source waited `nanos` for ring space.
    public func waited(nanos: UInt64) {
        waitedNanos.wrappingIncrement(by: nanos, ordering: .relaxed)
    }
}
