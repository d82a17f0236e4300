import Foundation
import Logging
import Telemetry
import Testing

@testable import Gateway

/// What `gateway run` hands the pipeline from the config: the JSON pattern and the line
/// protocol subscriptions of `ingest.subscriptions`, in order, with their options.
@Suite("Runtime pipeline settings")
struct PipelineSettingsTests {
    @Test func theRuntimeGivesThePipelineTheJSONPatternAndTheLineSubscriptionsInOrder() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse(SubscriptionsConfigTests.threeSubscriptions)
        let settings = try GatewayRuntime(config: config, logger: Logger(label: "test")).pipelineSettings()
        #expect(settings.topicPattern == (try TopicPattern("plant/{park}/{site}/{device}/json")))
        #expect(settings.lineSubscriptions.map(\.pattern.description) == ["plant/{park}/{site}/influx", "lp/{device}/x"])
        #expect(
            settings.lineSubscriptions.map(\.options) == [
                LineProtocolOptions(precision: .milliseconds, deviceTag: "host", metricNaming: .measurementField),
                LineProtocolOptions(parkTag: "park", siteTag: "site", deviceTag: "machine"),
            ])
        var topic = "plant/p1/s1/influx"
        let levels = topic.withUTF8 { settings.lineSubscriptions[0].pattern.levels(of: UnsafeRawBufferPointer($0)) }
        #expect(levels?.park == "p1" && levels?.site == "s1" && levels?.device == nil)
    }

    @Test func withoutSubscriptionsThePipelineHasTheTopicPatternAndNoLineSubscription() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("")
        let settings = try GatewayRuntime(config: config, logger: Logger(label: "test")).pipelineSettings()
        #expect(settings.topicPattern == (try TopicPattern(TopicPattern.defaultPattern)))
        #expect(settings.lineSubscriptions.isEmpty)
    }
}
