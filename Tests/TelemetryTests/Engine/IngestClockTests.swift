import Testing

@testable import Telemetry

@Suite("IngestClock")
struct IngestClockTests {
    @Test func followsTheWallClockOnlyWhileAllowed() {
        var clock = IngestClock(millis: 1_000)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_000, following: true, connectedSinceMillis: 40_000)
        #expect(clock.millis == 1_000)  // the first call only anchors the wall clock
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_500, following: true, connectedSinceMillis: 40_000)
        #expect(clock.millis == 1_500)
        // Disconnected for a minute (passes keep coming): no time passes for idle detection.
        for now in stride(from: Int64(50_600), through: 110_500, by: 100) {
            clock.advance(latestReceivedMillis: 1_000, nowMillis: now, following: false, connectedSinceMillis: 0)
        }
        #expect(clock.millis == 1_500)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 110_700, following: true, connectedSinceMillis: 110_400)
        #expect(clock.millis == 1_700)
        // Received messages pull it forward at once, and it never goes back.
        clock.advance(latestReceivedMillis: 90_000, nowMillis: 110_800, following: false, connectedSinceMillis: 110_400)
        #expect(clock.millis == 90_000)
        clock.advance(latestReceivedMillis: 80_000, nowMillis: 110_900, following: false, connectedSinceMillis: 110_400)
        #expect(clock.millis == 90_000)
    }

    @Test func receivingResumesAtStartOnEachNewConnectionAndAfterABlockedPass() {
        var clock = IngestClock(millis: 1_000)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_000, following: false, connectedSinceMillis: 0)
        #expect(clock.resumedAtMillis == 50_000)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_100, following: false, connectedSinceMillis: 50_080)
        #expect(clock.resumedAtMillis == 50_080)
        clock.advance(latestReceivedMillis: 50_150, nowMillis: 50_200, following: true, connectedSinceMillis: 50_080)
        #expect(clock.resumedAtMillis == 50_080)
        // The pass took 8 s (storage froze): the time is a gap, not idle time.
        clock.advance(latestReceivedMillis: 50_150, nowMillis: 58_200, following: true, connectedSinceMillis: 50_080)
        #expect(clock.resumedAtMillis == 58_200)
        #expect(clock.millis == 50_150)
        // The same connection seen again changes nothing; a new one does.
        clock.advance(latestReceivedMillis: 58_250, nowMillis: 58_300, following: true, connectedSinceMillis: 50_080)
        #expect(clock.resumedAtMillis == 58_200)
        clock.advance(latestReceivedMillis: 58_250, nowMillis: 58_400, following: false, connectedSinceMillis: 58_390)
        #expect(clock.resumedAtMillis == 58_390)
    }
}
