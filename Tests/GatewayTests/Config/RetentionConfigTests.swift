import Foundation
import Telemetry
import Testing

@testable import Gateway

/// `rollup.retention`: how long each tier is kept, in the query index and the rollup log alike.
@Suite("Retention config")
struct RetentionConfigTests {
    @Test func theDefaultKeeps10sTwoDays1mThirtyDaysAnd1hForever() {
        #expect(RollupSettings().retentionMillis == [10_000: 2 * 86_400_000, 60_000: 30 * 86_400_000])
    }

    @Test func retentionReplacesTheListedTiersAndKeepsTheOthersDefaults() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("rollup:\n  retention: {1m: 7d, 10s: forever}\n")
        #expect(config.rollup.retentionMillis == [60_000: 7 * 86_400_000])
        let longer = try fixture.parse("rollup:\n  retention:\n    1h: 3650d\n")
        #expect(
            longer.rollup.retentionMillis == [10_000: 2 * 86_400_000, 60_000: 30 * 86_400_000, 3_600_000: 3_650 * 86_400_000])
    }

    @Test func retentionKeysAreTheTiersOfTheSameFileWhateverTheOrderOfTheKeys() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("rollup:\n  retention: {5m: 1d}\n  tiers: [1m, 5m]\n")
        #expect(config.rollup.retentionMillis[300_000] == 86_400_000)
    }

    @Test func aRetentionForATierThatDoesNotExistOrWithABadDurationIsNamedWithItsLine() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("rollup:\n  retention: {5m: 1d, 1h: soon}\n") == [
                fixture.issue(2, 15, "rollup.retention.5m", "no tier 5m in rollup.tiers (10s, 1m, 1h)"),
                fixture.issue(
                    2, 27, "rollup.retention.1h", "expected a duration like 500ms, 10s, 1m, 1h or 1d, got \"soon\""),
            ])
        #expect(
            fixture.issues("rollup:\n  tiers: [1m, 1h]\n  retention:\n    10s: 2d\n") == [
                fixture.issue(4, 5, "rollup.retention.10s", "no tier 10s in rollup.tiers (1m, 1h)")
            ])
        #expect(
            fixture.issues("rollup:\n  retention: {1m: 30s}\n") == [
                fixture.issue(2, 19, "rollup.retention.1m", "expected a duration from 1m to 36500d, got \"30s\"")
            ])
        #expect(
            fixture.issues("rollup:\n  retention: 2d\n") == [
                fixture.issue(
                    2, 14, "rollup.retention",
                    "expected a mapping of tiers to durations like {10s: 2d, 1m: 30d, 1h: forever}, got \"2d\"")
            ])
    }

    @Test func anEmptyOrNullRetentionKeepsTheDefaults() throws {
        let fixture = try ConfigFixture()
        #expect(try fixture.parse("rollup:\n  retention:\n").rollup.retentionMillis == RollupSettings().retentionMillis)
        #expect(try fixture.parse("rollup:\n  retention: {}\n").rollup.retentionMillis == RollupSettings().retentionMillis)
    }

    @Test func theRollupLogRunsWithTheSameRetentionAsTheIndexBesideItsOwnPolicy() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(
            "rollup:\n  retention: {1m: 90d}\nstorage:\n  rollup_log: {segment_max: 1MiB, retain_age: 400d}\n")
        #expect(
            config.rollupLogPolicy
                == LogPolicy(
                    maxSegmentBytes: 1 << 20, retainAgeMillis: 400 * 86_400_000,
                    retainTierMillis: [10_000: 2 * 86_400_000, 60_000: 90 * 86_400_000]))
        #expect(config.storage.rollupLog.retainTierMillis.isEmpty && config.storage.quarantineLog.retainTierMillis.isEmpty)
    }
}
