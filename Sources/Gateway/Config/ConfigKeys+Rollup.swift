import Telemetry

/// The keys of `rollup:`: window tiers and how long windows wait for late readings.
extension ConfigKeys {
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
                "rollup.allowed_lateness", type: "duration 0ms…1h", default: "`5s`",
                meaning: "A window closes when the newest event time seen from its device passes its end "
                    + "by this much (or the device has been silent that long); later readings are "
                    + "quarantined as `too_late`.",
                read: .duration(\.allowedLatenessMillis, range: 0...hour)),
            ConfigKey(
                "rollup.state_horizon", type: "duration 1s…7d", default: "`5m`",
                meaning: "A machine state lasts until the device's next reading of that metric, but at "
                    + "most this long, so a silent machine is not counted in its last state forever.",
                read: .duration(\.stateHorizonMillis, range: second...7 * day)),
        ])

    /// The tiers: a non-empty list of durations, ascending, each a whole multiple of the one
    /// before; `nil` (with every problem reported) when any item is wrong.
    private static func readTiers(
        _ name: String, in section: ConfigNodeReader.Section, reader: inout ConfigNodeReader
    ) -> [Tier]? {
        guard
            let items = reader.list(
                name, in: section, describing: "a list of window lengths like [10s, 1m, 1h]")
        else {
            return nil
        }
        if items.isEmpty {
            reader.report(
                "expected at least one window length, got an empty list", key: section.path(name),
                at: section.node(name))
            return nil
        }
        var tiers: [Tier] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let key = "\(section.path(name))[\(index)]"
            guard let millis = reader.duration(item, key: key, range: second...7 * day) else {
                valid = false
                continue
            }
            let tier = Tier(name: ConfigValueParsers.durationText(millis: millis), lengthMillis: millis)
            if let previous = tiers.last {
                if millis <= previous.lengthMillis {
                    reader.report(
                        "expected tiers from shortest to longest, got \(tier.name) after \(previous.name)",
                        key: key, at: item)
                    valid = false
                } else if millis % previous.lengthMillis != 0 {
                    reader.report(
                        "expected a whole multiple of the previous tier \(previous.name) so that "
                            + "windows nest, got \(tier.name)",
                        key: key, at: item)
                    valid = false
                }
            }
            tiers.append(tier)
        }
        return valid ? tiers : nil
    }
}
