import Foundation
import Testing

@testable import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ThreadPriorityTests {
    @Test func aLoweredThreadRunsAtBackgroundNicenessAndTheOthersKeepTheirs() async {
        #if os(Linux)
            let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            let lowered: Int32 = await withCheckedContinuation { continuation in
                let thread = Thread {
                    ThreadPriority.lowerCurrentThread()
                    continuation.resume(returning: getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
                }
                thread.start()
            }
            #expect(lowered == max(before, ThreadPriority.background))
            #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        #endif
    }
}
