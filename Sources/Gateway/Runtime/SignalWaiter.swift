import Foundation

/// Turns SIGINT and SIGTERM into a blocking wait on the main thread.
///
/// `blockTerminationSignals` must run before any other thread starts, so every thread
/// (including libmosquitto's) inherits the mask and the signals are delivered only to `wait`.
enum SignalWaiter {
    static func blockTerminationSignals() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until SIGINT or SIGTERM arrives and returns its name.
    static func wait() -> String {
        var set = terminationSignals()
        var signal: Int32 = 0
        while sigwait(&set, &signal) != 0 {}
        return signal == SIGINT ? "SIGINT" : "SIGTERM"
    }

    private static func terminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
