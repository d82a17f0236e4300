import Telemetry
import Yams

/// How `rollup.tiers` is read, the one key whose value is a list with rules across its items,
/// and `rollup.retention`, a mapping keyed by those tiers.
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

    /// `rollup.retention`: each key a window length of `rollup.tiers` (read before it, so
    /// `settings.tiers` holds them), each value a duration or `forever`. Listing a tier replaces
    /// its default; the others keep theirs.
    static func readRetention(
        reader: inout ConfigNodeReader, section: ConfigNodeReader.Section, name: String, settings: inout RollupSettings
    ) {
        guard let node = section.node(name), !ConfigNodeReader.isNull(node) else { return }
        let key = section.path(name)
        guard let mapping = node.mapping else {
            reader.report(
                "expected a mapping of tiers to durations like {10s: 2d, 1m: 30d, 1h: forever}, got "
                    + ConfigNodeReader.describe(node), key: key, at: node)
            return
        }
        let tiers = settings.tiers
        for (tierNode, valueNode) in mapping {
            let text = tierNode.scalar?.string ?? "?"
            let tierKey = "\(key).\(text)"
            guard let tier = reader.duration(tierNode, key: tierKey, range: second...7 * day) else { continue }
            guard tiers.contains(where: { $0.lengthMillis == tier }) else {
                reader.report(
                    "no tier \(text) in rollup.tiers (\(tiers.map(\.name).joined(separator: ", ")))", key: tierKey,
                    at: tierNode)
                continue
            }
            if valueNode.scalar?.string == "forever" {
                settings.retentionMillis[tier] = nil
            } else if let millis = reader.duration(valueNode, key: tierKey, range: minute...36_500 * day) {
                settings.retentionMillis[tier] = millis
            }
        }
    }
}
