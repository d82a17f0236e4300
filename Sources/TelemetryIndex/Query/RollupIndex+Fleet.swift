import Foundation
import GRDB

extension RollupIndex {
    /// One series as `GET /api/v1/series` lists it.
    public struct SeriesSummary: Sendable, Equatable {
        public var name: SeriesName
        public var kind: String
        public var unit: String
        /// Event time of the newest reading in any indexed window.
        public var lastSeen: TimedValue?
    }

    /// One device as `GET /api/v1/devices` lists it.
    public struct DeviceSummary: Sendable, Equatable {
        public var park: [UInt8]
        public var site: [UInt8]
        public var device: [UInt8]
        /// Newest reading of any of its series (ms), nil before the first indexed window.
        public var lastSeenMillis: Int64?
        /// Readings in the windows of the coarsest tier the index holds (every tier counts each
        /// reading once; the coarsest is kept longest).
        public var readings: Int64
        public var series: Int

        /// A device of these names and figures (the listing builds them; callers that merge
        /// other figures into a listing, and their tests, too).
        public init(
            park: [UInt8], site: [UInt8], device: [UInt8], lastSeenMillis: Int64?, readings: Int64, series: Int
        ) {
            self.park = park
            self.site = site
            self.device = device
            self.lastSeenMillis = lastSeenMillis
            self.readings = readings
            self.series = series
        }
    }

    /// The series whose names match, ordered by park, site, device and metric, each name in
    /// byte order. Names come from the catalogue in memory; only the newest readings are read.
    public func series(
        park: NameFilter = .any, site: NameFilter = .any, device: NameFilter = .any, metric: NameFilter = .any
    ) throws(QueryError) -> [SeriesSummary] {
        try read("list the series") { db in
            let entries = try catalogue.current(in: db).filter {
                park.matches($0.name.park) && site.matches($0.name.site) && device.matches($0.name.device)
                    && metric.matches($0.name.metric)
            }
            // The newest readings, joined by id: both in id order.
            var result: [SeriesSummary] = []
            result.reserveCapacity(entries.count)
            var next = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT id, last_ts, last_value FROM series ORDER BY id")
            while next < entries.count, let row = try rows.next() {
                let id: Int64 = row[0]
                guard id == entries[next].id else { continue }
                let entry = entries[next]
                let lastSeen = Self.timedValue(millis: row[1], value: row[2] as DatabaseValue)
                result.append(SeriesSummary(name: entry.name, kind: entry.kind, unit: entry.unit, lastSeen: lastSeen))
                next += 1
            }
            return result.sorted { Self.precedes($0.name, $1.name) }
        }
    }

    /// Park, then site, device and metric, each name in byte order.
    static func precedes(_ lhs: SeriesName, _ rhs: SeriesName) -> Bool {
        if lhs.park != rhs.park { return lhs.park.lexicographicallyPrecedes(rhs.park) }
        if lhs.site != rhs.site { return lhs.site.lexicographicallyPrecedes(rhs.site) }
        if lhs.device != rhs.device { return lhs.device.lexicographicallyPrecedes(rhs.device) }
        return lhs.metric.lexicographicallyPrecedes(rhs.metric)
    }

    /// The devices whose names match, with their newest reading and reading count.
    public func devices(
        park: NameFilter = .any, site: NameFilter = .any, device: NameFilter = .any
    ) throws(QueryError)
        -> [DeviceSummary]
    {
        try read("list the devices") { db in
            let coarsest = try Int64.fetchOne(db, sql: "SELECT MAX(ms) FROM tier") ?? 0
            var devices: [[[UInt8]]: DeviceSummary] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.park, s.site, s.device, s.last_ts, COALESCE(r.readings, 0)
                    FROM series s LEFT JOIN series_readings r ON r.series_id = s.id AND r.tier_ms = ?
                    """, arguments: [coarsest])
            while let row = try rows.next() {
                let names = [SeriesCatalogue.bytes(row[0]), SeriesCatalogue.bytes(row[1]), SeriesCatalogue.bytes(row[2])]
                guard park.matches(names[0]), site.matches(names[1]), device.matches(names[2]) else { continue }
                var summary =
                    devices[names]
                    ?? DeviceSummary(
                        park: names[0], site: names[1], device: names[2], lastSeenMillis: nil, readings: 0, series: 0)
                if let seen: Int64 = row[3] { summary.lastSeenMillis = max(summary.lastSeenMillis ?? .min, seen) }
                summary.readings += row[4]
                summary.series += 1
                devices[names] = summary
            }
            return devices.values.sorted {
                [$0.park, $0.site, $0.device].lexicographicallyPrecedes([$1.park, $1.site, $1.device]) {
                    $0.lexicographicallyPrecedes($1)
                }
            }
        }
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(QueryError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw QueryError(.unavailable, "reading the query index \(path) to \(operation) failed: \(error)")
        }
    }
}
