/// "Now" for deciding that a device has gone idle (and its windows may close).
///
/// It is the latest receive time while a backlog is worked off, and it follows the wall clock
/// only while the gateway is connected and has nothing left to read. It never jumps over a time
/// the gateway could not receive (broker down, gateway restarting): otherwise every device would
/// look idle for that long, its windows would close, and the readings the broker queued
/// meanwhile would arrive too late.
struct IngestClock {
    private(set) var millis: Int64
    private var lastWallMillis: Int64?

    init(millis: Int64) {
        self.millis = millis
    }

    /// `following`: connected, past the reconnect grace, and the ring is empty.
    mutating func advance(latestReceivedMillis: Int64, nowMillis: Int64, following: Bool) {
        if following, let last = lastWallMillis, nowMillis > last {
            millis = max(millis, millis &+ (nowMillis - last))
        }
        millis = max(millis, latestReceivedMillis)
        lastWallMillis = nowMillis
    }
}
