import Foundation
import Testing

@testable import Gateway

/// `query:`: the index and the limits on queries.
@Suite("Query config")
struct QueryConfigTests {
    @Test func theIndexSettingsAreReadAndTheIndexPathDefaultsIntoTheDataDirectory() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("query:\n  cache_size: 1MiB\n  max_points: 500\n")
        #expect(config.query.cacheBytes == 1 << 20)
        #expect(config.query.maxPoints == 500)
        #expect(config.query.indexPath(dataDirectory: "d") == "d/index.sqlite")
    }

    /// Retention moved to `rollup.retention` before any release, with no alias.
    @Test func retentionUnderQueryIsAnUnknownKey() throws {
        let fixture = try ConfigFixture()
        let issues = fixture.issues("query:\n  retention: {10s: 2d}\n")
        #expect(issues.map(\.key) == ["query.retention"])
        #expect(issues.first?.line == 2)
    }
}
