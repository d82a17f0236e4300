import Telemetry
import TelemetryIndex
import Testing

@testable import Gateway

/// The body of `/api/v1/devices`: the index's devices with the engine's per-device counts.
@Suite("Fleet listing")
struct FleetListingTests {
    typealias DeviceSummary = RollupIndex.DeviceSummary
    static let now: Int64 = 1_764_547_200_000

    private func indexed(_ park: String, _ device: String, seen: Int64?, readings: Int64, series: Int) -> DeviceSummary {
        DeviceSummary(
            park: Array(park.utf8), site: Array("s".utf8), device: Array(device.utf8), lastSeenMillis: seen,
            readings: readings, series: series)
    }

    private func key(_ park: String, _ device: String) -> DeviceKey { DeviceKey(park: park, site: "s", device: device) }

    /// Two indexed devices of park p (as the index filtered them), one online and one silent.
    private var twoDevices: [DeviceSummary] {
        [
            indexed("p", "a", seen: Self.now - 10_000, readings: 100, series: 2),
            indexed("p", "c", seen: Self.now - 3_600_000, readings: 5, series: 1),
        ]
    }

    @Test func indexedDevicesGetTheirCountsAndAQuarantinedOnlyDeviceIsListedWithoutReadings() {
        var stats = PipelineStats()
        stats.quarantinedByDevice = [key("p", "a"): 3, key("p", "b"): 7, key("q", "z"): 1]
        stats.seqMissingByDevice = [key("p", "c"): 4]
        let counts = DeviceCounts(stats, takenAtMillis: Self.now - 5_000)
        let listing = FleetListing(park: NameFilter(patterns: [Array("p".utf8)]), silenceMillis: 300_000)
        let body = String(decoding: listing.json(indexed: twoDevices, counts: counts, nowMillis: Self.now), as: UTF8.self)
        #expect(
            body == """
                {"silence":"5m","now":"2025-12-01T00:00:00.000Z","counts_as_of":"2025-11-30T23:59:55.000Z","devices":[\
                {"park":"p","site":"s","device":"a","last_seen":"2025-11-30T23:59:50.000Z","status":"online","readings":100,"series":2,"quarantined":3,"seq_missing":0},\
                {"park":"p","site":"s","device":"b","last_seen":null,"status":"silent","readings":0,"series":0,"quarantined":7,"seq_missing":0},\
                {"park":"p","site":"s","device":"c","last_seen":"2025-11-30T23:00:00.000Z","status":"silent","readings":5,"series":1,"quarantined":0,"seq_missing":4}]}
                """)
    }

    @Test func withoutTheEnginesCountsTheirFieldsAreNull() {
        let listing = FleetListing(silenceMillis: 7_200_000)
        let body = String(decoding: listing.json(indexed: twoDevices, counts: nil, nowMillis: Self.now), as: UTF8.self)
        #expect(
            body == """
                {"silence":"2h","now":"2025-12-01T00:00:00.000Z","counts_as_of":null,"devices":[\
                {"park":"p","site":"s","device":"a","last_seen":"2025-11-30T23:59:50.000Z","status":"online","readings":100,"series":2,"quarantined":null,"seq_missing":null},\
                {"park":"p","site":"s","device":"c","last_seen":"2025-11-30T23:00:00.000Z","status":"online","readings":5,"series":1,"quarantined":null,"seq_missing":null}]}
                """)
    }
}
