#if canImport(Glibc)
    import Glibc
#endif

/// Scheduling priority of the calling thread. Work that can wait (the query index writer, API
/// queries) runs at `background` niceness, so that when the cores are short the scheduler
/// gives them to ingestion first: a query or a catching-up index then takes longer, but the
/// ring keeps draining. Linux keeps a nice value per thread; elsewhere this does nothing.
public enum ThreadPriority {
    /// The niceness of work that can wait (0 is the default, 19 the lowest priority).
    public static let background: Int32 = 10

    /// Lowers the calling thread to `niceness`; one already lower (a gateway started with
    /// `nice`) stays as it is. Raising it back needs privileges, so a thread lowered here
    /// should stay dedicated to such work.
    public static func lowerCurrentThread(to niceness: Int32 = background) {
        #if os(Linux)
            // On Linux the nice value belongs to the thread, and `who` 0 is the calling thread.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            guard getpriority(which, 0) < niceness else { return }
            _ = setpriority(which, 0, niceness)
        #endif
    }
}
