#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory the process has freed back to the system. After a retirement pass frees the
/// tables of thousands of devices, glibc's malloc keeps the freed pages in its heap for reuse,
/// so the resident size stays at the peak; `malloc_trim` returns the whole free pages. It is a
/// GNU extension that Swift's Glibc module does not declare, so it is looked up at run time;
/// elsewhere this does nothing.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, if this process has it.
    private static let trim: Trim? = {
        #if canImport(Glibc)
            // A null handle is RTLD_DEFAULT: the symbol as the process's libraries define it.
            guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: Trim.self)
        #else
            return nil
        #endif
    }()

    /// Returns the free pages of the heap to the system. O(heap); call it after freeing much.
    static func returnToSystem() {
        _ = trim?(0)
    }
}
