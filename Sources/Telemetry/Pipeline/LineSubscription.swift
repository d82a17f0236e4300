/// Messages of InfluxDB line protocol: those whose topic fits `pattern`, read as `options`
/// says. The pattern names the park, site and device levels no tag gives; a line's tags, where
/// configured, take precedence over the topic.
public struct LineSubscription: Sendable {
    public var pattern: TopicPattern
    public var options: LineProtocolOptions

    public init(pattern: TopicPattern, options: LineProtocolOptions) {
        self.pattern = pattern
        self.options = options
    }
}
