#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// C library calls under names that types with methods of the same name (`PoisonGuard.close()`,
/// `SegmentedLog.close()`) do not shadow.
enum POSIX {
    /// `close(2)`. Never retried on `EINTR`: on Linux the descriptor is released either way.
    @discardableResult
    static func close(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
            Glibc.close(descriptor)
        #else
            Darwin.close(descriptor)
        #endif
    }
}
