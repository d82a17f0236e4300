import Telemetry

/// How `rollup.tiers` is read: the one key whose value is a list with rules across its items.
extension ConfigKeys {
    /// The tiers: a non-empty list of durations, ascending, each a whole multiple of the one
    /// before; `nil` (with every problem reported) when any item is wrong.
    static func readTiers(
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
