#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The machine's real-time clock, the only "now" of the data path: receive times, window
/// closing, log rotation and checkpoint schedules all read it here.
public enum WallClock {
    /// Nanoseconds since the Unix epoch (`CLOCK_REALTIME`).
    public static func nanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Milliseconds since the Unix epoch.
    public static func millis() -> Int64 {
        nanos() / 1_000_000
    }
}
