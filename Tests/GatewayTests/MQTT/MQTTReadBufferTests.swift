import CMQTTReadBuffer
import Foundation
import Testing

/// The read buffer under libmosquitto (Sources/CMQTTReadBuffer): the test bundle links it as
/// the gateway does, so `read` here is the interposed one.
@Suite("MQTT read buffer", .serialized)
struct MQTTReadBufferTests {
    /// A non-blocking pipe holding `bytes`; closed by the caller.
    private func pipe(holding bytes: [UInt8]) throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        try #require(Glibc.pipe(&ends) == 0)
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        try #require(write(ends[1], bytes, bytes.count) == bytes.count)
        return (ends[0], ends[1])
    }

    private func readBytes(_ fd: Int32, _ count: Int) -> (result: Int, bytes: [UInt8], errno: Int32) {
        var buffer = [UInt8](repeating: 0, count: count)
        errno = 0
        let result = read(fd, &buffer, count)
        return (result, Array(buffer.prefix(max(result, 0))), errno)
    }

    @Test func oneKernelReadServesManySmallReadsInOrder() throws {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let fds = try pipe(holding: bytes)
        defer { close(fds.read); close(fds.write) }
        mqtt_read_buffer_arm(fds.read)
        defer { mqtt_read_buffer_release() }

        var received: [UInt8] = []
        let first = readBytes(fds.read, 1)
        received += first.bytes
        // Everything the pipe held came in with the first read.
        #expect(mqtt_read_buffer_pending() == 999)
        for size in [1, 2, 3, 500, 1_000] {
            received += readBytes(fds.read, size).bytes
        }
        #expect(received == bytes)
        #expect(mqtt_read_buffer_pending() == 0)
        let drained = readBytes(fds.read, 4)
        #expect(drained.result == -1 && drained.errno == EAGAIN)
        #expect(mqtt_read_buffer_was_used() != 0)
    }

    @Test func afterStopRefillingOnlyWhatIsBufferedIsServedThenTheKernelDirectly() throws {
        let fds = try pipe(holding: Array(repeating: 1, count: 10))
        defer { close(fds.read); close(fds.write) }
        mqtt_read_buffer_arm(fds.read)
        defer { mqtt_read_buffer_release() }
        #expect(readBytes(fds.read, 4).bytes == [1, 1, 1, 1])
        mqtt_read_buffer_stop_refilling()
        #expect(write(fds.write, [UInt8](repeating: 2, count: 3), 3) == 3)
        // The rest of the buffer first (never mixed with newer bytes), then straight reads.
        #expect(readBytes(fds.read, 100).bytes == Array(repeating: 1, count: 6))
        #expect(readBytes(fds.read, 2).bytes == [2, 2])
        #expect(mqtt_read_buffer_pending() == 0)
        #expect(readBytes(fds.read, 2).bytes == [2])
    }

    @Test func otherDescriptorsAndOtherThreadsGoStraightToTheKernel() async throws {
        let armed = try pipe(holding: [1, 2, 3, 4])
        let other = try pipe(holding: [9, 8, 7])
        defer { close(armed.read); close(armed.write); close(other.read); close(other.write) }
        mqtt_read_buffer_arm(armed.read)
        defer { mqtt_read_buffer_release() }
        #expect(readBytes(armed.read, 1).bytes == [1])
        #expect(mqtt_read_buffer_pending() == 3)
        #expect(readBytes(other.read, 1).bytes == [9])
        #expect(mqtt_read_buffer_pending() == 3)
        // Another thread reading the armed descriptor reaches the kernel, which holds nothing.
        let elsewhere = Thread.detachNewThreadAndWait { () -> Int in
            var byte: UInt8 = 0
            return read(armed.read, &byte, 1)
        }
        #expect(elsewhere == -1)
        #expect(mqtt_read_buffer_pending() == 3)
    }

    @Test func releaseForgetsTheSocketAndItsBytes() throws {
        let fds = try pipe(holding: [5, 6, 7])
        defer { close(fds.read); close(fds.write) }
        mqtt_read_buffer_arm(fds.read)
        #expect(readBytes(fds.read, 1).bytes == [5])
        mqtt_read_buffer_release()
        #expect(mqtt_read_buffer_pending() == 0)
        #expect(write(fds.write, [UInt8(8)], 1) == 1)
        #expect(readBytes(fds.read, 4).bytes == [8])
    }
}

private extension Thread {
    /// Runs `body` on a new thread and returns its result.
    static func detachNewThreadAndWait<Result: Sendable>(_ body: @escaping @Sendable () -> Result) -> Result {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result?
        Thread.detachNewThread {
            result = body()
            done.signal()
        }
        done.wait()
        guard let result else { fatalError("thread did not run") }
        return result
    }
}
