import Testing

@testable import Telemetry

@Suite("IngestClock")
struct IngestClockTests {
    /// One pass of the engine's loop: what it tells the clock, and what the clock must say after
    /// it (`nil`: not checked).
    struct Pass {
        var received: Int64
        var now: Int64
        var following: Bool
        var connectedSince: Int64
        var millis: Int64? = nil
        var resumedAt: Int64? = nil
    }

    /// Runs `passes` on a clock that starts at 1,000 ms.
    private func expect(_ passes: [Pass], sourceLocation: SourceLocation = #_sourceLocation) {
        var clock = IngestClock(millis: 1_000)
        for (index, pass) in passes.enumerated() {
            clock.advance(
                latestReceivedMillis: pass.received, nowMillis: pass.now, following: pass.following,
                connectedSinceMillis: pass.connectedSince)
            if let millis = pass.millis { #expect(clock.millis == millis, "pass \(index)", sourceLocation: sourceLocation) }
            if let resumed = pass.resumedAt {
                #expect(clock.resumedAtMillis == resumed, "pass \(index)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func followsTheWallClockOnlyWhileAllowed() {
        // Disconnected for a minute (passes keep coming): no time passes for idle detection.
        let disconnected = stride(from: Int64(50_600), through: 110_400, by: 100).map {
            Pass(received: 1_000, now: $0, following: false, connectedSince: 0)
        }
        expect(
            [
                // The first pass only anchors the wall clock.
                Pass(received: 1_000, now: 50_000, following: true, connectedSince: 40_000, millis: 1_000),
                Pass(received: 1_000, now: 50_500, following: true, connectedSince: 40_000, millis: 1_500),
            ] + disconnected + [
                Pass(received: 1_000, now: 110_500, following: false, connectedSince: 0, millis: 1_500),
                Pass(received: 1_000, now: 110_700, following: true, connectedSince: 110_400, millis: 1_700),
                // Received messages pull it forward at once, and it never goes back.
                Pass(received: 90_000, now: 110_800, following: false, connectedSince: 110_400, millis: 90_000),
                Pass(received: 80_000, now: 110_900, following: false, connectedSince: 110_400, millis: 90_000),
            ])
    }

    @Test func receivingResumesAtStartOnEachNewConnectionAndAfterABlockedPass() {
        expect([
            Pass(received: 1_000, now: 50_000, following: false, connectedSince: 0, resumedAt: 50_000),
            Pass(received: 1_000, now: 50_100, following: false, connectedSince: 50_080, resumedAt: 50_080),
            Pass(received: 50_150, now: 50_200, following: true, connectedSince: 50_080, resumedAt: 50_080),
            // The pass took 8 s (storage froze): the time is a gap, not idle time.
            Pass(received: 50_150, now: 58_200, following: true, connectedSince: 50_080, millis: 50_150, resumedAt: 58_200),
            // The same connection seen again changes nothing; a new one does.
            Pass(received: 58_250, now: 58_300, following: true, connectedSince: 50_080, resumedAt: 58_200),
            Pass(received: 58_250, now: 58_400, following: false, connectedSince: 58_390, resumedAt: 58_390),
        ])
    }
}
