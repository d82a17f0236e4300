import Telemetry

/// The keys of a log policy (`storage.rollup_log:`, `storage.quarantine_log:`): rotation,
/// fsync and retention. Declared once for both logs; only the defaults differ, and each key
/// gives both, rollup first, as the README's "default (rollup / quarantine)" column does.
extension ConfigKeys {
    /// `storage.rollup_log:`, read into `StorageSettings.rollupLog`.
    static let rollupLog = logPolicy("storage.rollup_log", isRollupLog: true)
    /// `storage.quarantine_log:`, read into `StorageSettings.quarantineLog`.
    static let quarantineLog = logPolicy("storage.quarantine_log", isRollupLog: false)

    /// The accepted values of `fsync`.
    static let fsyncModes = ["interval", "always", "never"]

    /// The policy keys under `path`, with the rollup log's defaults or the quarantine log's.
    private static func logPolicy(_ path: String, isRollupLog: Bool) -> ConfigSection<LogPolicy> {
        func defaults(rollup: String, quarantine: String) -> String {
            isRollupLog ? rollup : quarantine
        }
        return ConfigSection(
            path,
            keys: [
                ConfigKey(
                    "\(path).segment_max", type: "size 64KiB…64GiB",
                    default: defaults(rollup: "`64MiB`", quarantine: "`16MiB`"),
                    meaning: "Rotate the current segment at this size.",
                    read: .byteSize(\.maxSegmentBytes, range: 64 << 10...64 << 30)),
                ConfigKey(
                    "\(path).segment_max_age", type: "duration 1s…30d",
                    default: defaults(rollup: "`1h`", quarantine: "`1d`"),
                    meaning: "Rotate the current segment at this age.",
                    read: .duration(\.maxSegmentAgeMillis, range: second...30 * day)),
                ConfigKey(
                    "\(path).fsync", type: "`interval`, `always` or `never`",
                    default: defaults(rollup: "`interval`", quarantine: "`interval`"),
                    meaning: "`interval`: force to disk at most `fsync_interval` after a write (power loss "
                        + "loses at most that); `always`: after every batch (slowest, loses nothing); "
                        + "`never`: leave it to the kernel (survives a gateway crash, not a power loss).",
                    read: .custom { reader, section, name, policy in
                        var intervalMillis: Int64 = 1_000
                        if case .interval(let milliseconds) = policy.fsync {
                            intervalMillis = milliseconds
                        }
                        switch reader.choice(name, in: section, options: fsyncModes) {
                        case "always": policy.fsync = .always
                        case "never": policy.fsync = .never
                        case "interval": policy.fsync = .interval(milliseconds: intervalMillis)
                        default: break
                        }
                    }),
                ConfigKey(
                    "\(path).fsync_interval", type: "duration 10ms…1h",
                    default: defaults(rollup: "`1s`", quarantine: "`1s`"),
                    meaning: "Used only with `fsync: interval`; ignored otherwise.",
                    read: .custom { reader, section, name, policy in
                        // Read after `fsync`, so it applies exactly when the mode in force is interval.
                        if let millis = reader.duration(name, in: section, range: 10...hour),
                            case .interval = policy.fsync
                        {
                            policy.fsync = .interval(milliseconds: millis)
                        }
                    }),
                ConfigKey(
                    "\(path).retain_size", type: "size 1MiB…1PiB",
                    default: defaults(rollup: "not set", quarantine: "`1GiB`"),
                    meaning: "Delete the oldest rotated segments while all the log's segments add up to "
                        + "more. Not set: no size limit.",
                    read: .byteSize(\.retainBytes, range: 1 << 20...1 << 50)),
                ConfigKey(
                    "\(path).retain_age", type: "duration 1h…36500d",
                    default: defaults(rollup: "not set", quarantine: "`30d`"),
                    meaning: "Delete rotated segments whose lines are all older (by the rotation time in the "
                        + "name). Not set: no age limit.",
                    read: .duration(\.retainAgeMillis, range: hour...100 * 365 * day)),
            ])
    }
}
