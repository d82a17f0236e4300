/// The keys of `ingest:`: what the gateway accepts, how much it buffers, and the limits that
/// send a message to quarantine.
extension ConfigKeys {
    /// `ingest:`, read into `IngestSettings`. The catalogue the `catalogue` key names is loaded
    /// by `ConfigLoader.parse`, which also settles `strict_metrics` against the catalogue's
    /// `strict`.
    static let ingest = ConfigSection<IngestSettings>(
        "ingest",
        keys: [
            ConfigKey(
                "ingest.topic_pattern", type: "string", default: "`iiot/{park}/{site}/{device}/telemetry`",
                meaning: "Device topic shape. Each level is a literal or exactly one of `{park}`, `{site}`, "
                    + "`{device}`; all three must appear once. Non-matching topics are quarantined as "
                    + "`topic_mismatch`. The config validator and `TopicPattern` check patterns separately "
                    + "(the validator reports every problem at once); both split levels by Unicode scalar.",
                read: .custom { reader, section, name, settings in
                    guard let pattern = reader.string(name, in: section, describing: "a topic pattern") else {
                        return
                    }
                    let problems = ConfigValueParsers.topicPatternProblems(pattern)
                    for problem in problems {
                        reader.report(problem, key: section.path(name), at: section.node(name))
                    }
                    if problems.isEmpty {
                        settings.topicPattern = pattern
                    }
                }),
            ConfigKey(
                "ingest.ring_size", type: "size, power of two, 1MiB…4GiB", default: "`64MiB`",
                meaning: "Buffer between the MQTT thread and the pipeline. Full ⇒ the MQTT thread waits "
                    + "(back-pressure), nothing is dropped.",
                read: .byteSize(\.ringBytes, range: 1 << 20...4 << 30, powerOfTwo: true)),
            ConfigKey(
                "ingest.max_payload", type: "size, 64B…256MiB", default: "`64KiB`",
                meaning: "Larger payloads are quarantined as `payload_too_large`.",
                read: .byteSize(\.maxPayloadBytes, range: 64...256 << 20)),
            ConfigKey(
                "ingest.max_readings_per_message", type: "integer 1…1000000", default: "`1000`",
                meaning: "More readings in one message ⇒ quarantined as `too_many_readings`.",
                read: .integer(\.maxReadingsPerMessage, range: 1...1_000_000)),
            ConfigKey(
                "ingest.max_topic_bytes", type: "integer 16…65535", default: "`256`",
                meaning: "Longer topics are quarantined as `topic_too_long` before anything else.",
                read: .integer(\.maxTopicBytes, range: 16...65_535)),
            ConfigKey(
                "ingest.max_series", type: "integer 1…100000000", default: "`250000`",
                meaning: "Most series (and devices) kept in memory; readings of new series beyond it are "
                    + "quarantined as `cardinality_limit`. About 1 KiB of memory per series.",
                read: .integer(\.maxSeries, range: 1...100_000_000)),
            ConfigKey(
                "ingest.future_tolerance", type: "duration 0ms…1d", default: "`5m`",
                meaning: "Readings stamped further ahead of the gateway's clock are quarantined as "
                    + "`future_timestamp`.",
                read: .duration(\.futureToleranceMillis, range: 0...day)),
            ConfigKey(
                "ingest.dedup_window", type: "integer 64…65536", default: "`1024`",
                meaning: "Sequence numbers remembered per device to drop redeliveries as `duplicate_seq`.",
                read: .integer(\.dedupWindow, range: 64...65_536)),
            ConfigKey(
                "ingest.redelivery_window", type: "integer 0…4194304", default: "`65536`",
                meaning: "Messages without `seq` remembered (20 bytes each, also in every checkpoint) to "
                    + "recognise them when they arrive again: readings that all carry `ts` ⇒ "
                    + "`duplicate_payload`; readings without `ts` redelivered by the broker ⇒ counted again "
                    + "and reported as `redelivered_readings`. 0 turns it off. See [Duplicates without "
                    + "`seq`](../README.md#duplicates-without-seq) in the main README.",
                read: .integer(\.redeliveryWindow, range: 0...4_194_304)),
            ConfigKey(
                "ingest.catalogue", type: "path", default: "`metrics.yaml`",
                meaning: "The metric catalogue, relative to this config file.",
                read: .string(\.cataloguePath, describing: "a file path")),
            ConfigKey(
                "ingest.strict_metrics", type: "boolean", default: "unset: the catalogue's `strict`",
                meaning: "When set, overrides the catalogue's `strict` (see below).",
                read: .bool(\.strictMetrics)),
            ConfigKey(
                "ingest.max_name_bytes", type: "integer 16…65535", default: "`128`",
                meaning: "Longer park, site, device, metric or state names (bytes, JSON escapes resolved) "
                    + "are quarantined as `name_too_long`. Names are compared by their bytes.",
                read: .integer(\.maxNameBytes, range: 16...65_535)),
            ConfigKey(
                "ingest.accept_retained", type: "boolean", default: "`false`",
                meaning: "Ingest messages delivered with MQTT's retain flag. By default they are skipped "
                    + "and counted as `retained_skipped` in `status.json`, since the broker re-sends its "
                    + "retained copy on every subscribe.",
                read: .bool(\.acceptRetained)),
        ])
}
