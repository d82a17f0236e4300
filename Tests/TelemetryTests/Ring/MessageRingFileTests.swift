import Foundation
import Testing
@testable import Telemetry

@Suite("MessageRing file (write-ahead log)")
struct MessageRingFileTests {
    private static let capacity = 64 * 1024

    private func path(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ring-\(label)-\(UUID().uuidString)").path
    }

    private func push(_ ring: MessageRing, _ text: String, at nanos: Int64) -> Bool {
        let topic = Array("iiot/p/s/d/telemetry".utf8)
        let payload = Array(text.utf8)
        return topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { ring.tryPush(topic: topicBytes, payload: $0, receivedAtNanos: nanos) }
        }
    }

    private func drain(_ ring: MessageRing) -> [(String, Int64)] {
        var seen: [(String, Int64)] = []
        _ = ring.consume(maxMessages: .max) { message in
            seen.append((String(decoding: message.payload, as: UTF8.self), message.receivedAtNanos))
        }
        return seen
    }

    @Test func reopeningReplaysEverythingAfterTheReleasedPosition() throws {
        let file = path("replay")
        defer { unlink(file) }
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(ring.retainsConsumed)
            #expect(push(ring, "one", at: 1) && push(ring, "two", at: 2))
            var afterFirst = 0
            _ = ring.consume(maxMessages: 1) { _ in }
            afterFirst = ring.consumedPosition
            #expect(drain(ring).map(\.0) == ["two"])
            ring.release(through: afterFirst)
            #expect(push(ring, "three", at: 3))
            #expect(ring.unreleasedBytes > 0)
            // Staged but never published: beyond the commit marker, must not come back.
            let topic = Array("t".utf8), payload = Array("staged".utf8)
            #expect(topic.withUnsafeBytes { t in payload.withUnsafeBytes { ring.tryStage(topic: t, payload: $0, receivedAtNanos: 4) } })
        }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        let replayed = drain(reopened)
        #expect(replayed.map(\.0) == ["two", "three"])
        #expect(replayed.map(\.1) == [2, 3])
    }

    @Test func survivesManyLapsAcrossReopens() throws {
        let file = path("laps")
        defer { unlink(file) }
        var next = 0
        var expected = 0
        for _ in 0..<5 {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            for _ in 0..<2_000 {
                let text = "message-\(next)-" + String(repeating: "x", count: next % 97)
                #expect(push(ring, text, at: Int64(next)))
                next += 1
                for (payload, nanos) in drain(ring) {
                    #expect(nanos == Int64(expected) && payload.hasPrefix("message-\(expected)-"))
                    expected += 1
                }
                ring.release(through: ring.consumedPosition)
            }
        }
        #expect(expected == 10_000)
    }

    @Test func refusesToDropUnconsumedRecordsWhenTheCapacityChanges() throws {
        let file = path("capacity")
        defer { unlink(file) }
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(push(ring, "pending", at: 1))
        }
        #expect(throws: MessageRing.FileError.self) {
            _ = try MessageRing.openFile(atPath: file, capacityBytes: 2 * Self.capacity)
        }
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(drain(ring).map(\.0) == ["pending"])
            ring.release(through: ring.consumedPosition)
        }
        let resized = try MessageRing.openFile(atPath: file, capacityBytes: 2 * Self.capacity)
        #expect(resized.capacityBytes == 2 * Self.capacity && drain(resized).isEmpty)
    }

    @Test func oneProcessAtATime() throws {
        let file = path("lock")
        defer { unlink(file) }
        let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(throws: MessageRing.FileError.locked(path: file)) {
            _ = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        }
        _ = ring
    }

    @Test func rejectsAFileThatIsNotARing() throws {
        let file = path("corrupt")
        defer { unlink(file) }
        try Data(repeating: 7, count: 4_096).write(to: URL(fileURLWithPath: file))
        #expect(throws: MessageRing.FileError.corrupt(path: file, detail: "no ring header")) {
            _ = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        }
    }
}
