/// "Now" for deciding that a device has gone idle (and its windows may close), and since when
/// receiving has been running without a gap.
///
/// `millis` is the latest receive time while a backlog is worked off, and follows the wall clock
/// only while the gateway is connected and has nothing left to read. It never jumps over a time
/// the gateway could not receive (broker down, gateway restarting, pipeline blocked on storage):
/// otherwise every device would look idle for that long, its windows would close, and the
/// readings the broker queued meanwhile would arrive too late.
///
/// The latest receive time alone still jumps over such a gap as soon as the first queued message
/// arrives, while other devices' queued messages are still on their way. So the clock also says
/// when receiving last resumed (`resumedAtMillis`): a device silent since before then counts as
/// idle only from then, which leaves the broker's backlog `allowed_lateness` to arrive.
struct IngestClock {
    /// A pass of the pipeline loop longer than this means the thread was blocked (storage that
    /// does not answer, a suspended process): a gap, not idle time. Normal passes take
    /// milliseconds; a false alarm only delays idle windows' closing by up to `allowed_lateness`.
    static let gapMillis: Int64 = 1_000

    private(set) var millis: Int64
    /// Wall-clock time when receiving last resumed: start, a new connection, or the end of a
    /// blocked pipeline pass.
    private(set) var resumedAtMillis: Int64 = .min
    private var lastWallMillis: Int64?
    private var connectedSinceMillis: Int64 = 0

    init(millis: Int64) {
        self.millis = millis
    }

    /// Called on every pass of the pipeline loop. `following`: connected, past the reconnect
    /// grace, and the ring is empty. `connectedSinceMillis`: when the current connection was
    /// accepted, 0 while disconnected.
    mutating func advance(latestReceivedMillis: Int64, nowMillis: Int64, following: Bool, connectedSinceMillis: Int64) {
        if let last = lastWallMillis {
            if nowMillis - last > Self.gapMillis {
                resumedAtMillis = nowMillis
            } else if following, nowMillis > last {
                millis = max(millis, millis &+ (nowMillis - last))
            }
        } else {
            resumedAtMillis = nowMillis
        }
        if connectedSinceMillis > 0, connectedSinceMillis != self.connectedSinceMillis {
            self.connectedSinceMillis = connectedSinceMillis
            resumedAtMillis = max(resumedAtMillis, connectedSinceMillis)
        }
        millis = max(millis, latestReceivedMillis)
        lastWallMillis = nowMillis
    }
}
