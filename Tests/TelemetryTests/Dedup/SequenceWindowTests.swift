import Testing

@testable import Telemetry

@Suite("SequenceWindow")
struct SequenceWindowTests {
    @Test func acceptsInOrderAndCountsGaps() {
        var window = SequenceWindow(capacity: 64)
        #expect(window.record(1) == .accepted(missing: 0))
        #expect(window.record(2) == .accepted(missing: 0))
        #expect(window.record(6) == .accepted(missing: 3))
        #expect(window.record(4) == .filledGap)
        #expect(window.record(4) == .duplicate)
        #expect(window.record(6) == .duplicate)
        #expect(window.record(1) == .duplicate)
        #expect(window.record(3) == .filledGap)
    }

    @Test func remembersAcrossWordBoundaries() {
        var window = SequenceWindow(capacity: 200)
        #expect(window.capacity == 256)
        for seq in stride(from: UInt64(1), through: 1_000, by: 2) {
            #expect(window.record(seq) == .accepted(missing: seq == 1 ? 0 : 1))
        }
        // Everything within 256 of the highest (999) is remembered exactly.
        for seq in UInt64(745)...999 {
            #expect(window.record(seq) == (seq % 2 == 1 ? .duplicate : .filledGap), "seq \(seq)")
        }
    }

    @Test func largeJumpClearsTheWindow() {
        var window = SequenceWindow(capacity: 64)
        _ = window.record(10)
        #expect(window.record(10 + 500) == .accepted(missing: 499))
        #expect(window.record(10 + 499) == .filledGap)
        #expect(window.record(10 + 500) == .duplicate)
    }

    @Test func farBelowMeansTheDeviceRestartedItsNumbering() {
        var window = SequenceWindow(capacity: 64)
        _ = window.record(5_000)
        #expect(window.record(1) == .restarted)
        #expect(window.record(2) == .accepted(missing: 0))
        #expect(window.record(1) == .duplicate)
    }
}
