import Foundation
import Testing

@testable import Gateway

/// `query:`: the index and the limits on queries, and `query.retention`'s tier mapping.
@Suite("Query config")
struct QueryConfigTests {
    @Test func retentionReplacesTheListedTiersAndKeepsTheOthersDefaults() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("query:\n  retention: {1m: 7d, 10s: forever}\n  cache_size: 1MiB\n")
        #expect(config.query.retentionMillis == [60_000: 7 * 86_400_000])
        #expect(config.query.cacheBytes == 1 << 20)
        #expect(config.query.indexPath(dataDirectory: "d") == "d/index.sqlite")
    }

    @Test func aRetentionForATierThatDoesNotExistOrWithABadDurationIsNamed() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("query:\n  retention: {5m: 1d, 1h: soon}\n") == [
                fixture.issue(2, 15, "query.retention.5m", "no tier 5m in rollup.tiers (10s, 1m, 1h)"),
                fixture.issue(
                    2, 27, "query.retention.1h", "expected a duration like 500ms, 10s, 1m, 1h or 1d, got \"soon\""),
            ])
        #expect(
            fixture.issues("query:\n  retention: 2d\n") == [
                fixture.issue(
                    2, 14, "query.retention",
                    "expected a mapping of tiers to durations like {10s: 2d, 1m: 30d, 1h: forever}, got \"2d\"")
            ])
    }
}
