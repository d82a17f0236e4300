/// The keys of `storage:`: where the logs go, how quarantine lines are bounded, and how often
/// the pipeline is checkpointed. The two log policies are in `ConfigKeys+LogPolicy.swift`.
extension ConfigKeys {
    /// `storage:`, read into `StorageSettings`.
    static let storage = ConfigSection<StorageSettings>(
        "storage",
        keys: [
            ConfigKey(
                "storage.data_directory", type: "path", default: "`data`",
                meaning: "Directory of the rollup and quarantine logs, relative to the working directory.",
                read: .string(\.dataDirectory, describing: "a directory path")),
            ConfigKey(
                section: "storage.rollup_log", type: "log policy", default: "see below",
                meaning: "Rollup log (the source of truth for queries).",
                read: .custom { reader, section, name, settings in
                    rollupLog.read(section.node(name), into: &settings.rollupLog, reader: &reader)
                }),
            ConfigKey(
                section: "storage.quarantine_log", type: "log policy", default: "see below",
                meaning: "Quarantine log (rejected input and its reason).",
                read: .custom { reader, section, name, settings in
                    quarantineLog.read(section.node(name), into: &settings.quarantineLog, reader: &reader)
                }),
            ConfigKey(
                "storage.quarantine_payload_excerpt", type: "size 0…64KiB", default: "`512`",
                meaning: "How much of a rejected payload is copied into its quarantine line.",
                read: .byteSize(\.quarantinePayloadExcerptBytes, range: 0...64 << 10)),
            ConfigKey(
                "storage.quarantine_excerpts_per_second", type: "integer 0…1000000", default: "`100`",
                meaning: "At most this many quarantine lines a second carry a payload excerpt; the others "
                    + #"have `"payload_omitted":true`."#,
                read: .integer(\.quarantineExcerptsPerSecond, range: 0...1_000_000)),
            ConfigKey(
                "storage.quarantine_max_line", type: "size 1KiB…1MiB", default: "`4KiB`",
                meaning: "Longest quarantine line: a longer record has its text fields (topic, detail, "
                    + #"payload excerpt, names) cut to fit, ending in `…`, and carries `"cut":true`."#,
                read: .byteSize(\.quarantineMaxLineBytes, range: 1 << 10...1 << 20)),
            ConfigKey(
                "storage.quarantine_readings_per_message", type: "integer 1…1000000", default: "`10`",
                meaning: "Rejected readings of one message written one line each; the rest of that "
                    + #"message's rejected readings share one line with `"readings":N` and the count of "#
                    + "each reason in its detail (every reading is still counted under its reason in "
                    + "`status.json`).",
                read: .integer(\.quarantineReadingsPerMessage, range: 1...1_000_000)),
            ConfigKey(
                "storage.checkpoint_interval", type: "duration 100ms…1h", default: "`2s`",
                meaning: "How often the pipeline's state (open windows, device clocks, sequence windows) "
                    + "is saved to `<data_directory>/checkpoint`; messages stay in the write-ahead ring "
                    + "`<data_directory>/ingest.ring` until a checkpoint covers them. Also taken whenever "
                    + "half of the ring awaits one. After a crash the gateway restores the checkpoint and "
                    + "replays the ring.",
                read: .duration(\.checkpointIntervalMillis, range: 100...hour)),
        ])
}
