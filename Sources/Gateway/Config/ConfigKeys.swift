import Foundation
import Telemetry

/// Every key of `gateway.yaml`, declared once, here, in the order of `config/README.md`'s
/// tables; the reads with rules of their own are in `ConfigKeys+MQTTRules.swift`,
/// `ConfigKeys+Tiers.swift` (tiers and their retention), `ConfigKeys+Subscriptions.swift`
/// (`ingest.subscriptions`), `ConfigKeys+LogPolicy.swift` (both logs' policies) and
/// `ConfigKeys+Query.swift` (the query index), `ConfigKeys+HTTP.swift` (the API) and
/// `ConfigKeys+Logging.swift` (the gateway's own log).
/// `ConfigLoader` reads the file through these declarations, and `ConfigReference` prints the
/// README's key tables from them, which `ConfigReferenceTests` holds the README and
/// `config/gateway.yaml` to.
enum ConfigKeys {
    /// Milliseconds in a second, minute, hour and day, for the declared ranges.
    static let second: Int64 = 1_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// The top-level sections, in the order they are allowed, listed and suggested.
    static let sectionNames = [mqtt.path, ingest.path, rollup.path, storage.path, query.path, http.path, logging.path]

    // MARK: - MQTT
    //
    // The keys of `mqtt:` and `mqtt.reconnect:`: the broker, the session, the subscriptions and
    // the credentials. The rules beyond a type and a range are in `ConfigKeys+MQTTRules.swift`.

    /// `mqtt:`, read into `MQTTSettings`.
    static let mqtt = ConfigSection<MQTTSettings>(
        "mqtt",
        keys: [
            ConfigKey(
                "mqtt.host", type: "string", default: "`127.0.0.1`",
                meaning: "Broker host name or IP address.",
                read: .custom(readHost)),
            ConfigKey(
                "mqtt.port", type: "integer 1…65535", default: "`1883`",
                meaning: "Broker TCP port (TLS brokers usually listen on 8883).",
                read: .integer(\.port, range: 1...65_535)),
            ConfigKey(
                "mqtt.protocol", type: #"`"3.1.1"` or `"5"`"#, default: #"`"3.1.1"`"#,
                meaning: "MQTT version; `5` and `311` are accepted unquoted. 3.1.1 is the default because "
                    + "its persistent session lasts until the broker expires it; libmosquitto 2.0 sends "
                    + "MQTT 5's session-expiry interval only on the first connection, not on its automatic "
                    + "reconnects, so after a reconnect a version 5 session ends at the next disconnect "
                    + "(the gateway logs a warning).",
                read: .custom(readProtocol)),
            ConfigKey(
                "mqtt.client_id", type: "string, 1…65535 bytes", default: "`telemetry-gateway`",
                meaning: "MQTT client identifier. Give every gateway instance its own: the broker "
                    + "disconnects the older of two connections with the same ID.",
                read: .custom(readClientID)),
            ConfigKey(
                "mqtt.keepalive", type: "duration, whole seconds, 5s…65535s", default: "`30s`",
                meaning: "Keep-alive interval; the broker drops the connection after 1.5× this without "
                    + "traffic.",
                read: .seconds(\.keepaliveSeconds, range: 5 * second...65_535 * second)),
            ConfigKey(
                "mqtt.clean_session", type: "boolean", default: "`false`",
                meaning: "`false` keeps the subscription and queued QoS 1/2 messages at the broker while "
                    + "the gateway is down, so a restart loses nothing.",
                read: .bool(\.cleanSession)),
            ConfigKey(
                "mqtt.qos", type: "integer 0…2", default: "`1`",
                meaning: "Subscription QoS. 1 = at-least-once; duplicates are dropped by the payload's "
                    + "`seq`.",
                read: .integer(\.qos, range: 0...2)),
            ConfigKey(
                "mqtt.topics", type: "list of topic filters, non-empty",
                default: #"unset: one per `ingest.subscriptions` entry, else `["iiot/+/+/+/telemetry"]`"#,
                meaning: "Filters subscribed to. `+` must be a whole level; `#` a whole level and the last. When "
                    + "unset and `ingest.subscriptions` is set, each subscription's pattern with every `{name}` level "
                    + "as `+` (a `sparkplug_b` entry's filter as written); when set, exactly these filters, whatever "
                    + "the subscriptions. A Sparkplug B host also subscribes to its own STATE topic (QoS 1), always.",
                read: .custom(readTopics)),
            ConfigKey(
                "mqtt.username", type: "string", default: "unset (anonymous)",
                meaning: "Broker user name.",
                read: .custom { reader, section, name, settings in
                    settings.username = reader.string(name, in: section, nullMeansAbsent: true)
                }),
            ConfigKey(
                "mqtt.password_env", type: "environment variable name", default: "unset",
                meaning: "Name of the environment variable holding the broker password. Needs `username`.",
                read: .custom(readPasswordEnv)),
            ConfigKey(
                "mqtt.password_file", type: "path", default: "unset",
                meaning: "File whose first line is the password (line ending stripped); must exist. Needs "
                    + "`username`; not together with `password_env`.",
                read: .custom(readPasswordFile)),
            ConfigKey(
                forbidden: "mqtt.password", type: "—", default: "—",
                meaning: "Always an error: a password never goes in the config file. Use `password_env` "
                    + "or `password_file`.",
                message: "a password is never read from the config file; set password_env to the name of "
                    + "an environment variable that holds it, or password_file to a file whose first line "
                    + "is it"),
            ConfigKey(
                section: "mqtt.tls", type: "section", default: "absent (TLS off)",
                meaning: "TLS to the broker is on exactly when this section is present; see below.",
                read: .custom { reader, section, name, settings in
                    var tlsSettings = TLSSettings()
                    if tls.read(section.node(name), into: &tlsSettings, reader: &reader) {
                        settings.tls = tlsSettings
                    }
                }),
        ],
        inlineSections: [reconnect],
        check: { reader, section, settings, _ in checkCredentials(section, settings, reader: &reader) })

    /// `mqtt.reconnect:`, read into `MQTTSettings` and documented in `mqtt`'s table.
    static let reconnect = ConfigSection<MQTTSettings>(
        "mqtt.reconnect",
        keys: [
            ConfigKey(
                "mqtt.reconnect.initial", type: "duration, whole seconds, 1s…1h", default: "`1s`",
                meaning: "First wait before reconnecting after the broker is lost.",
                read: .seconds(\.reconnectInitialSeconds, range: second...hour)),
            ConfigKey(
                "mqtt.reconnect.max", type: "duration, whole seconds, 1s…1d, ≥ `initial`", default: "`30s`",
                meaning: "Longest wait between reconnect attempts.",
                read: .seconds(\.reconnectMaxSeconds, range: second...day)),
        ],
        check: checkReconnectOrder)

    // MARK: - TLS
    //
    // The keys of `mqtt.tls:`. TLS is on exactly when the section is present, so an empty section
    // is read (and fails for want of a CA) rather than ignored. Every file is resolved against the
    // config file's directory and must exist when the configuration is loaded.

    /// `mqtt.tls:`, read into `TLSSettings`.
    static let tls = ConfigSection<TLSSettings>(
        "mqtt.tls",
        keys: [
            ConfigKey(
                "mqtt.tls.ca_file", type: "path to a PEM file", default: "unset",
                meaning: "CA certificates that sign the broker's certificate. `ca_file` or `ca_path` is "
                    + "required.",
                read: .tlsPath(\.caFile, directory: false)),
            ConfigKey(
                "mqtt.tls.ca_path", type: "path to a directory", default: "unset",
                meaning: "Directory of hashed CA certificates (`openssl rehash`), instead of or besides "
                    + "`ca_file`.",
                read: .tlsPath(\.caPath, directory: true)),
            ConfigKey(
                "mqtt.tls.cert_file", type: "path to a PEM file", default: "unset",
                meaning: "Client certificate; only together with `key_file`.",
                read: .tlsPath(\.certFile, directory: false)),
            ConfigKey(
                "mqtt.tls.key_file", type: "path to a PEM file", default: "unset",
                meaning: "Private key of `cert_file`; only together with `cert_file`.",
                read: .tlsPath(\.keyFile, directory: false)),
            ConfigKey(
                "mqtt.tls.insecure", type: "boolean", default: "`false`",
                meaning: "Skip checking the broker's host name against its certificate. Tests only.",
                read: .bool(\.insecure)),
        ],
        check: { reader, section, _, _ in
            if section.node("ca_file") == nil && section.node("ca_path") == nil {
                reader.report(
                    "expected ca_file or ca_path, to check the broker's certificate (TLS is on because "
                        + "the tls section is present)",
                    key: section.key, mark: section.mark)
            }
            if (section.node("cert_file") == nil) != (section.node("key_file") == nil) {
                let present = section.node("cert_file") == nil ? "key_file" : "cert_file"
                let missing = present == "cert_file" ? "key_file" : "cert_file"
                reader.report(
                    "\(present) needs \(missing): a client certificate and its private key go together",
                    key: section.path(present), at: section.node(present))
            }
        })

    // MARK: - Ingest
    //
    // The keys of `ingest:`: what the gateway accepts, how much it buffers, and the limits that
    // send a message to quarantine.

    /// `ingest:`, read into `IngestSettings`. The catalogue the `catalogue` key names is loaded
    /// by `ConfigLoader.parse`, which also settles `strict_metrics` against the catalogue's
    /// `strict`.
    static let ingest = ConfigSection<IngestSettings>(
        "ingest",
        keys: [
            ConfigKey(
                "ingest.topic_pattern", type: "string",
                default: "unset: `iiot/{park}/{site}/{device}/telemetry`, or the json entry of `subscriptions`",
                meaning: "Device topic shape of JSON messages. Each level is a literal or exactly one of `{park}`, "
                    + "`{site}`, `{device}`; all three must appear once. Non-matching topics are quarantined as "
                    + "`topic_mismatch`. The config validator and `TopicPattern` check patterns separately "
                    + "(the validator reports every problem at once); both split levels by Unicode scalar. Not "
                    + "together with `subscriptions`: give the pattern there as a `json` entry.",
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
                "ingest.subscriptions", type: "list of subscriptions, non-empty", default: "unset: JSON on `topic_pattern`",
                meaning: "What is read from which topics: each entry a `format` (`json`, `line` for InfluxDB line "
                    + "protocol, or `sparkplug_b`), a `topic` pattern (for `sparkplug_b` an MQTT filter) and, for "
                    + "`line`, how its lines name devices and metrics, for `sparkplug_b` the host application's id; "
                    + "see [below](#ingestsubscriptions). At most one `json` entry (without one, JSON keeps the "
                    + "default pattern, tried first) and one `sparkplug_b`; `line` entries are tried in order. Not "
                    + "together with `topic_pattern`. Gives `mqtt.topics` when that is unset.",
                read: .custom(readSubscriptions)),
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
                meaning: "Most series (and devices) kept in memory: live ones, as silent devices are retired "
                    + "(`retire_after`); readings of new series beyond it are quarantined as `cardinality_limit`. "
                    + "About 1 KiB of memory per series.",
                read: .integer(\.maxSeries, range: 1...100_000_000)),
            ConfigKey(
                "ingest.retire_after", type: "duration 10s…365d", default: "`1h`",
                meaning: "A device that sent nothing for this long (receive time) and whose states' horizons have "
                    + "passed is forgotten, with its series (its windows still open are written first, with "
                    + "`\"complete\":false`): memory, checkpoints and `max_series` follow the live devices. "
                    + "If it sends again it starts afresh: no counter increase from its first reading, a new `seq` "
                    + "numbering, its counts in `/api/v1/devices` from zero.",
                read: .duration(\.retireAfterMillis, range: 10 * second...365 * day)),
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
        ],
        check: checkSubscriptionsAlone)

    // MARK: - Rollup
    //
    // The keys of `rollup:`: window tiers, how long each tier is kept, and how long windows wait
    // for late readings.

    /// `rollup:`, read into `RollupSettings`.
    static let rollup = ConfigSection<RollupSettings>(
        "rollup",
        keys: [
            ConfigKey(
                "rollup.tiers", type: "list of durations, each 1s…7d", default: "`[10s, 1m, 1h]`",
                meaning: "Window lengths, shortest first, each a whole multiple of the one before (so "
                    + "windows nest). Written into rollup lines in the largest exact unit: `60s` becomes `1m`.",
                read: .custom { reader, section, name, settings in
                    if let tiers = readTiers(name, in: section, reader: &reader) {
                        settings.tiers = tiers
                    }
                }),
            ConfigKey(
                "rollup.retention", type: "mapping tier → duration or `forever`",
                default: "`{10s: 2d, 1m: 30d}`",
                meaning: "How long each tier's windows are kept; a tier not listed is kept forever. The query "
                    + "index deletes a window once it started longer ago than this; the rollup log's rotated "
                    + "segments are rewritten without a tier's lines once all of that tier's lines in the "
                    + "segment ended longer ago (and the segment was rotated at least 1h ago). Each key must "
                    + "be one of `tiers`.",
                read: .custom(readRetention)),
            ConfigKey(
                "rollup.allowed_lateness", type: "duration 0ms…1h", default: "`5s`",
                meaning: "A window closes when the newest event time seen from its device passes its end "
                    + "by this much (or the device has been silent that long); later readings are "
                    + "quarantined as `too_late`.",
                read: .duration(\.allowedLatenessMillis, range: 0...hour)),
            ConfigKey(
                "rollup.state_horizon", type: "duration 1s…7d", default: "`5m`",
                meaning: "A machine state lasts until the device's next reading of that metric in event "
                    + "time (`ts`), but at most this long, so a silent machine is not counted in its last "
                    + "state forever; a graceful stop credits it up to the stop.",
                read: .duration(\.stateHorizonMillis, range: second...7 * day)),
            ConfigKey(
                "rollup.quantile_accuracy", type: "number 0.0001…0.1", default: "`0.01`",
                meaning: "Relative accuracy α of each gauge window's quantile sketch: every quantile in a "
                    + "rollup (`p50`…`p99`) and from a query is within α × its value of the exact one. "
                    + "Smaller costs more bins per window (about ln(max/min) / 2α).",
                read: .custom { reader, section, name, settings in
                    guard let value = reader.number(name, in: section) else { return }
                    guard (0.0001...0.1).contains(value) else {
                        reader.report(
                            "expected a relative accuracy from 0.0001 to 0.1 (0.01 is 1 %), got \(value)",
                            key: section.path(name), at: section.node(name))
                        return
                    }
                    settings.quantileAccuracy = value
                }),
        ])

    // MARK: - Storage
    //
    // The keys of `storage:`: where the logs go, how quarantine lines are bounded, and how often
    // the pipeline is checkpointed. The two log policies are in `ConfigKeys+LogPolicy.swift`.

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
