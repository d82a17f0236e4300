import Telemetry
import TelemetryIndex

/// The body of `GET /api/v1/devices`: the devices of the query index that match the filters,
/// each `online` or `silent` by the silence threshold, with the engine's per-device quarantine
/// and sequence-gap counts; and the devices only those counts know (quarantined, never indexed),
/// with no reading.
struct FleetListing {
    var park: NameFilter = .any
    var site: NameFilter = .any
    var device: NameFilter = .any
    /// A device whose last reading is older than this (or that has none) is `silent`.
    var silenceMillis: Int64

    /// One device of the listing.
    private struct Entry {
        var lastSeenMillis: Int64?
        var readings: Int64 = 0
        var series = 0
        var quarantined = 0
        var seqMissing: Int64 = 0
    }

    /// The JSON body for the index's `indexed` devices (already filtered) and the engine's
    /// `counts` (nil when the server has none: their fields are then null), at `nowMillis`.
    func json(indexed: [RollupIndex.DeviceSummary], counts: DeviceCounts?, nowMillis: Int64) -> [UInt8] {
        var entries: [[[UInt8]]: Entry] = [:]
        for summary in indexed {
            entries[[summary.park, summary.site, summary.device]] = Entry(
                lastSeenMillis: summary.lastSeenMillis, readings: summary.readings, series: summary.series)
        }
        if let counts {
            for (key, quarantined) in counts.quarantined {
                guard let names = selected(key) else { continue }
                entries[names, default: Entry()].quarantined = quarantined
            }
            for (key, missing) in counts.seqMissing {
                guard let names = selected(key) else { continue }
                entries[names, default: Entry()].seqMissing = missing
            }
        }
        let order = entries.keys.sorted { $0.lexicographicallyPrecedes($1) { $0.lexicographicallyPrecedes($1) } }

        var json = JSONLineBuilder(capacity: 256 * max(1, order.count))
        json.openObject()
        json.key("silence")
        json.string(QueryStep.fixed(millis: silenceMillis).description)
        json.key("now")
        json.timestamp(millis: nowMillis)
        json.key("counts_as_of")
        if let counts { json.timestamp(millis: counts.takenAtMillis) } else { json.null() }
        json.key("devices")
        json.openArray()
        for names in order {
            guard let entry = entries[names] else { continue }
            json.openObject()
            for (field, bytes) in zip(["park", "site", "device"], names) {
                json.key(field)
                json.string(String(decoding: bytes, as: UTF8.self))
            }
            json.key("last_seen")
            if let seen = entry.lastSeenMillis { json.timestamp(millis: seen) } else { json.null() }
            json.key("status")
            json.string((entry.lastSeenMillis ?? .min) >= nowMillis - silenceMillis ? "online" : "silent")
            json.key("readings")
            json.integer(entry.readings)
            json.key("series")
            json.integer(entry.series)
            json.key("quarantined")
            if counts == nil { json.null() } else { json.integer(entry.quarantined) }
            json.key("seq_missing")
            if counts == nil { json.null() } else { json.integer(entry.seqMissing) }
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return json.bytes
    }

    /// The names of `key` as bytes, when the filters select it.
    private func selected(_ key: DeviceKey) -> [[UInt8]]? {
        let names = [Array(key.park.utf8), Array(key.site.utf8), Array(key.device.utf8)]
        guard park.matches(names[0]), site.matches(names[1]), device.matches(names[2]) else { return nil }
        return names
    }
}
