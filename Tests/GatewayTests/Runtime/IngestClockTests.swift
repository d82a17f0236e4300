import Testing
@testable import Gateway

@Suite("IngestClock")
struct IngestClockTests {
    @Test func followsTheWallClockOnlyWhileAllowed() {
        var clock = IngestClock(millis: 1_000)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_000, following: true)
        #expect(clock.millis == 1_000)  // the first call only anchors the wall clock
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 50_500, following: true)
        #expect(clock.millis == 1_500)
        // Disconnected for a minute: no time passes for idle detection.
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 110_500, following: false)
        #expect(clock.millis == 1_500)
        clock.advance(latestReceivedMillis: 1_000, nowMillis: 110_700, following: true)
        #expect(clock.millis == 1_700)
        // Received messages pull it forward at once, and it never goes back.
        clock.advance(latestReceivedMillis: 90_000, nowMillis: 110_800, following: false)
        #expect(clock.millis == 90_000)
        clock.advance(latestReceivedMillis: 80_000, nowMillis: 110_900, following: false)
        #expect(clock.millis == 90_000)
    }
}
