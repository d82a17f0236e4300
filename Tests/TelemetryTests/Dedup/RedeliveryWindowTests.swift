import Testing

@testable import Telemetry

@Suite("RedeliveryWindow")
struct RedeliveryWindowTests {
    @Test func remembersTheLastCapacityArrivalsOldestForgottenFirst() {
        var window = RedeliveryWindow(capacity: 3, hasher: ByteHash(seed: 1, multiplier: 3))
        for number in 1...3 { window.record(UInt64(number) * 1_000, messageNumber: Int64(number)) }
        #expect(window.arrival(of: 1_000) == 1 && window.arrival(of: 3_000) == 3)
        window.record(4_000, messageNumber: 4)
        #expect(window.arrival(of: 1_000) == nil)
        #expect(window.arrival(of: 2_000) == 2 && window.arrival(of: 4_000) == 4)
        window.record(2_000, messageNumber: 9)
        #expect(window.arrival(of: 2_000) == 9, "a fingerprint recorded again keeps its latest arrival")
        #expect(window.arrivalsInOrder.map(\.fingerprint) == [2_000, 3_000, 4_000])
    }

    @Test func capacityZeroRemembersNothing() {
        var window = RedeliveryWindow(capacity: 0)
        window.record(42, messageNumber: 1)
        #expect(window.arrival(of: 42) == nil)
    }

    /// Colliding home slots and evictions in the middle of probe runs, against a reference
    /// model (a dictionary and a FIFO list); backward-shift deletion must keep every entry
    /// reachable.
    @Test func matchesAReferenceModelUnderCollisionsAndEvictions() {
        let capacity = 64
        var window = RedeliveryWindow(capacity: capacity, hasher: .random())
        var generator = SplitMix64(seed: 7)
        var order: [UInt64] = []
        var arrivals: [UInt64: Int64] = [:]
        for number in 0..<20_000 {
            // Few distinct low bits: long probe runs. Some repeats of remembered fingerprints.
            let fingerprint =
                generator.next() % 3 == 0 && !order.isEmpty
                ? order[Int(generator.next() % UInt64(order.count))]
                : (generator.next() << 8) | (generator.next() % 4)
            #expect(window.arrival(of: fingerprint) == arrivals[fingerprint])
            window.record(fingerprint, messageNumber: Int64(number))
            if arrivals[fingerprint] == nil {
                order.append(fingerprint)
                if order.count > capacity { arrivals[order.removeFirst()] = nil }
            }
            arrivals[fingerprint] = Int64(number)
        }
        for fingerprint in order { #expect(window.arrival(of: fingerprint) == arrivals[fingerprint]) }
        #expect(window.arrivalsInOrder.map(\.fingerprint) == order)
    }

    @Test func fingerprintsSeparateTopicPayloadAndPacketID() {
        let window = RedeliveryWindow(capacity: 8)
        func fingerprint(_ topic: String, _ payload: String, _ packetID: UInt16? = nil) -> UInt64 {
            Array(topic.utf8).withUnsafeBytes { topic in
                Array(payload.utf8).withUnsafeBytes { window.fingerprint(topic: topic, payload: $0, packetID: packetID) }
            }
        }
        #expect(fingerprint("a/b", "{\"x\":1}") == fingerprint("a/b", "{\"x\":1}"))
        #expect(fingerprint("a/b", "{\"x\":1}") != fingerprint("a/b", "{\"x\":2}"))
        #expect(fingerprint("ab", "c") != fingerprint("a", "bc"))
        #expect(fingerprint("a/b", "{}", 7) != fingerprint("a/b", "{}", 8))
        #expect(fingerprint("a/b", "{}", 0) != fingerprint("a/b", "{}"))
    }

    @Test func checkpointKeepsKeyAndArrivalsAndTheNewestWhenSmaller() throws {
        var window = RedeliveryWindow(capacity: 4)
        for number in 1...6 { window.record(UInt64(number), messageNumber: Int64(number) * 10) }
        var writer = CheckpointWriter()
        window.encode(to: &writer)

        var reader = CheckpointReader(writer.bytes)
        let same = try RedeliveryWindow(from: &reader, capacity: 4)
        #expect(reader.isAtEnd)
        #expect(same.hasher == window.hasher)
        #expect(same.arrivalsInOrder == window.arrivalsInOrder)

        reader = CheckpointReader(writer.bytes)
        let smaller = try RedeliveryWindow(from: &reader, capacity: 2)
        #expect(smaller.arrivalsInOrder.map(\.fingerprint) == [5, 6])
        #expect(smaller.arrival(of: 6) == 60 && smaller.arrival(of: 4) == nil)
    }
}
