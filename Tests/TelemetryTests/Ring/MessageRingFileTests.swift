import Foundation
import Testing

@testable import Telemetry

@Suite("MessageRing file (write-ahead log)")
struct MessageRingFileTests {
    private static let capacity = 64 * 1024

    private func path(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ring-\(label)-\(UUID().uuidString)").path
    }

    private func push(_ ring: MessageRing, _ text: String, at nanos: Int64, packetID: UInt16 = 0) -> Bool {
        let topic = Array("iiot/p/s/d/telemetry".utf8)
        let payload = Array(text.utf8)
        return topic.withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { ring.tryPush(topic: topicBytes, payload: $0, receivedAtNanos: nanos, packetID: packetID) }
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
            #expect(
                topic.withUnsafeBytes { t in payload.withUnsafeBytes { ring.tryStage(topic: t, payload: $0, receivedAtNanos: 4) }
                })
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

    /// A power cut while the ring was being created can leave the file at its full size with a
    /// header that never reached the disk (all zeros): nothing was synced into it, so it opens
    /// as a new ring instead of refusing to start (found by the simulated power cuts).
    @Test func aHeaderThatNeverReachedTheDiskOpensAsANewRing() throws {
        let file = path("zero-header")
        defer { unlink(file) }
        try Data(count: MessageRing.controlBytes + Self.capacity).write(to: URL(fileURLWithPath: file))
        let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(ring.usedBytes == 0 && ring.consumedPosition == 0)
        #expect(push(ring, "first", at: 1))
        #expect(drain(ring).map(\.0) == ["first"])
    }

    /// Resizing an empty ring, cut by a power loss after the new size reached the disk and
    /// before the new header did: the old, empty header with the new size opens (found by reading
    /// the code while adding the simulated power cuts).
    @Test func anEmptyRingCutWhileBeingResizedOpensAtTheNewSize() throws {
        let file = path("resize-cut")
        defer { unlink(file) }
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(push(ring, "done", at: 1) && drain(ring).count == 1)
            ring.release(through: ring.consumedPosition)
        }
        try FileHandle(forUpdatingAtPath: file).map { handle in
            try handle.truncate(atOffset: UInt64(MessageRing.controlBytes + 2 * Self.capacity))
            try handle.close()
        }
        let resized = try MessageRing.openFile(atPath: file, capacityBytes: 2 * Self.capacity)
        #expect(resized.capacityBytes == 2 * Self.capacity && drain(resized).isEmpty)
    }

    // MARK: Power cut: the file's pages reach the disk in any order

    /// Reads or overwrites bytes of a closed ring file, as a power cut might have left them.
    private func patch(_ file: String, at offset: Int, _ body: (inout [UInt8]) -> Void) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        var bytes = [UInt8](try handle.read(upToCount: 8) ?? Data())
        body(&bytes)
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: bytes)
    }

    private func storeInt(_ value: Int, _ bytes: inout [UInt8]) {
        bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// A 64-byte record: the 20-byte topic of `push` and a 12-byte payload.
    private static func text(_ index: Int) -> String { String(format: "payload-%04d", index % 10_000) }

    @Test func aRecordTornByAPowerCutEndsTheReplay() throws {
        let file = path("torn")
        defer { unlink(file) }
        var secondStart = 0
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity, sync: .eachPublish)
            #expect(push(ring, Self.text(1), at: 1))
            secondStart = MessageRing.controlBytes + 64
            #expect(push(ring, Self.text(2), at: 2) && push(ring, Self.text(3), at: 3))
        }
        // One byte of the second record's payload never reached the disk.
        try patch(file, at: secondStart + MessageRing.headerBytes + 22) { $0[0] ^= 0xFF }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(reopened.tornBytesDiscarded == 128)
        #expect(drain(reopened).map(\.1) == [1])
        // The ring goes on from the end of the last intact record.
        #expect(push(reopened, Self.text(4), at: 4))
        #expect(drain(reopened).map(\.1) == [4])
    }

    @Test func packetIDsAreReplayedAndCoveredByTheChecksum() throws {
        let file = path("packet-id")
        defer { unlink(file) }
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(push(ring, Self.text(1), at: 1, packetID: 65_535) && push(ring, Self.text(2), at: 2, packetID: 7))
            #expect(push(ring, Self.text(3), at: 3))
        }
        var ids: [UInt16] = []
        _ = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity).consume(maxMessages: .max) {
            ids.append($0.packetID)
        }
        #expect(ids == [65_535, 7, 0])
        // The second record's packet id changed on disk: the record is not trusted.
        try patch(file, at: MessageRing.controlBytes + 64 + 24) { $0[0] ^= 0x01 }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(drain(reopened).map(\.1) == [1])
    }

    @Test func aWriteIndexAheadOfItsRecordsNeverReplaysAnEarlierLap() throws {
        let file = path("lap")
        defer { unlink(file) }
        let records = 3 * Self.capacity / 64 + 5
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            for index in 0..<records {
                #expect(push(ring, Self.text(index), at: Int64(index)))
                _ = drain(ring)
                ring.release(through: ring.consumedPosition)
            }
            #expect(push(ring, Self.text(records), at: Int64(records)))
        }
        // The index page reached the disk claiming two more records; the data pages did not, so
        // the file holds intact records from the previous lap there.
        try patch(file, at: 0) { bytes in
            let written = bytes.withUnsafeBytes { $0.load(as: Int.self) }
            storeInt(written + 128, &bytes)
        }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(reopened.tornBytesDiscarded == 128)
        #expect(drain(reopened).map(\.1) == [Int64(records)])
    }

    @Test func rewindReplaysReleasedRecordsWhileTheyAreIntact() throws {
        let file = path("rewind")
        defer { unlink(file) }
        var checkpointPosition = 0
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
            #expect(push(ring, Self.text(1), at: 1))
            _ = drain(ring)
            checkpointPosition = ring.consumedPosition
            #expect(push(ring, Self.text(2), at: 2) && push(ring, Self.text(3), at: 3))
            _ = drain(ring)
            ring.release(through: ring.consumedPosition)
            #expect(push(ring, Self.text(4), at: 4))
        }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(!reopened.rewind(to: checkpointPosition + 8), "not a record boundary")
        #expect(reopened.rewind(to: checkpointPosition))
        #expect(drain(reopened).map(\.1) == [2, 3, 4])
    }

    @Test func rewindRefusesRecordsTheProducerHasOverwritten() throws {
        let file = path("overwritten")
        defer { unlink(file) }
        let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(push(ring, Self.text(0), at: 0))
        _ = drain(ring)
        let checkpointPosition = ring.consumedPosition
        for index in 1...(Self.capacity / 64 + 3) {
            #expect(push(ring, Self.text(index), at: Int64(index)))
            _ = drain(ring)
            ring.release(through: ring.consumedPosition)
        }
        #expect(!ring.rewind(to: checkpointPosition))
        #expect(ring.usedBytes == 0)
    }

    @Test func anEmptyRingKeepsItsPositionsAcrossReopens() throws {
        let file = path("positions")
        defer { unlink(file) }
        var position = 0
        do {
            let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity, sync: .periodic)
            #expect(push(ring, Self.text(1), at: 1))
            _ = drain(ring)
            position = ring.consumedPosition
            ring.release(through: position)
            #expect(ring.syncPublished())
            #expect(ring.syncFailureCount == 0)
        }
        let reopened = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity)
        #expect(position == 64 && reopened.consumedPosition == position)
    }

    @Test func deferredSyncsCoverEveryPublishedRecordAtOnce() throws {
        let file = path("group")
        defer { unlink(file) }
        let ring = try MessageRing.openFile(atPath: file, capacityBytes: Self.capacity, sync: .eachPublish)
        #expect(push(ring, Self.text(1), at: 1))
        #expect(ring.producer.pointee.synced == 64, "each publish syncs")
        ring.deferSyncs()
        for index in 2...9 { #expect(push(ring, Self.text(index), at: Int64(index))) }
        #expect(ring.producer.pointee.synced == 64, "deferred")
        ring.syncDeferred()
        #expect(ring.producer.pointee.synced == 9 * 64)
        #expect(push(ring, Self.text(10), at: 10))
        #expect(ring.producer.pointee.synced == 10 * 64, "each publish syncs again")
        #expect(ring.syncFailureCount == 0)

        let periodic = try MessageRing.openFile(atPath: file + ".periodic", capacityBytes: Self.capacity, sync: .periodic)
        defer { unlink(file + ".periodic") }
        periodic.deferSyncs()
        #expect(push(periodic, Self.text(1), at: 1))
        periodic.syncDeferred()
        #expect(periodic.producer.pointee.synced == 0, "only .eachPublish rings sync on the producer side")
    }
}
