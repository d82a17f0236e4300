// The blocking side of the ring: back-pressure without loss. When the ring is full the MQTT
// thread waits here; while it waits libmosquitto reads nothing from the socket, TCP's window
// fills and the broker slows the publishers. Waiting is polling, not a condition variable, so
// the consumer's hot path never has to signal anyone: a short spin (the consumer usually frees
// space within microseconds), then sleeps doubling from 1 µs up to 1 ms, so a stalled pipeline
// costs the producer at most ~1000 wake-ups a second and a freed ring is noticed within 1 ms.

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension MessageRing {
    /// The result of a blocking `push`.
    public enum PushOutcome: Equatable, Sendable {
        /// The message is in the ring and published; `waitedNanos` is how long the producer
        /// waited for space (0 when it fitted at once), for back-pressure metrics.
        case pushed(waitedNanos: Int64)
        /// topic + payload exceeds `maxMessageBytes`: it can never fit. Nothing was written;
        /// quarantine it (reason `payload_too_large`).
        case tooLarge
        /// The ring did not have room and `close()` was called while waiting. Nothing was written.
        case closed
    }

    /// Spins (retrying at once) before the first sleep.
    static let spinAttempts = 100
    /// First sleep of the back-off.
    static let firstSleepNanos = 1_000
    /// Longest sleep of the back-off: bounds how late a freed ring or `close()` is noticed.
    static let maxSleepNanos = 1_000_000

    /// Producer only. Copies the message in and publishes it (with anything staged before),
    /// waiting as long as it takes for space: spins briefly, then sleeps with a back-off
    /// doubling from 1 µs to at most 1 ms. Never drops a message that can fit.
    ///
    /// Returns `.pushed(waitedNanos:)` (0 when it fitted at once), `.tooLarge` at once for a
    /// message that can never fit, or `.closed` if `close()` is (or was) called while it has to
    /// wait. A message that fits at once is pushed even after `close()`.
    public func push(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, packetID: UInt16 = 0,
        retained: Bool = false, payloadBytes: Int? = nil
    ) -> PushOutcome {
        switch stage(
            topic: topic, payload: payload, receivedAtNanos: receivedAtNanos, packetID: packetID, retained: retained,
            payloadBytes: payloadBytes)
        {
        case .staged:
            publish()
            return .pushed(waitedNanos: 0)
        case .tooLarge:
            return .tooLarge
        case .full:
            break
        }
        // `stage` has published everything staged, so the consumer can drain the whole ring.
        let clock = ContinuousClock()
        let start = clock.now
        var attempts = 0
        var sleepNanos = Self.firstSleepNanos
        while true {
            if isClosed { return .closed }
            if attempts < Self.spinAttempts {
                attempts += 1
            } else {
                Self.sleep(nanoseconds: sleepNanos)
                sleepNanos = min(sleepNanos * 2, Self.maxSleepNanos)
            }
            if case .staged = stage(
                topic: topic, payload: payload, receivedAtNanos: receivedAtNanos, packetID: packetID, retained: retained,
                payloadBytes: payloadBytes)
            {
                publish()
                let waited = start.duration(to: clock.now).components
                return .pushed(waitedNanos: waited.seconds * 1_000_000_000 + waited.attoseconds / 1_000_000_000)
            }
        }
    }

    /// Any thread. Makes a producer waiting in `push` give up with `.closed` within about 1 ms,
    /// and every later `push` that would have to wait return `.closed` at once (used at
    /// shutdown). Idempotent; the ring's contents stay readable.
    public func close() {
        // Relaxed: the flag publishes no other data, only "stop waiting"; atomicity alone
        // guarantees the waiting producer sees it on one of its next polls.
        closed.store(true, ordering: .relaxed)
    }

    /// Any thread. Whether `close()` has been called.
    public var isClosed: Bool {
        closed.load(ordering: .relaxed)
    }

    /// Sleeps the calling thread; `nanoseconds` < 1 s.
    private static func sleep(nanoseconds: Int) {
        var request = timespec(tv_sec: 0, tv_nsec: nanoseconds)
        // An early return (EINTR) only shortens one back-off step: the loop re-checks anyway.
        _ = nanosleep(&request, nil)
    }
}
