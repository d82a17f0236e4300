import Testing

@testable import Telemetry

/// Names are identified by their UTF-8 bytes, never by Unicode canonical equivalence.
@Suite("Names by bytes")
struct NameTests {
    /// "café" with é precomposed (U+00E9, bytes C3 A9) and decomposed (e + U+0301, bytes 65 CC 81).
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"
    /// "Å" as the letter (U+00C5, C3 85) and as the Ångström sign (U+212B, E2 84 AB).
    static let letterA = "\u{C5}"
    static let angstrom = "\u{212B}"

    @Test func spellingsThatStringFindsEqualAreDifferentNames() {
        #expect(Self.nfc == Self.nfd && Self.letterA == Self.angstrom, "String equality is canonical equivalence")
        #expect(Name(Self.nfc) != Name(Self.nfd))
        #expect(Name(Self.letterA) != Name(Self.angstrom))
        #expect(Name(Self.nfc) == Name("caf\u{E9}"))
        #expect(Set([Name(Self.nfc), Name(Self.nfd), Name(Self.letterA), Name(Self.angstrom), Name("caf\u{E9}")]).count == 4)
        var counts: [Name: Int] = [:]
        for name in [Self.nfc, Self.nfd, Self.nfc] { counts[Name(name), default: 0] += 1 }
        #expect(counts == [Name(Self.nfc): 2, Name(Self.nfd): 1])
    }

    @Test func namesSortInByteOrder() {
        let sorted = [Name(Self.nfc), Name(Self.nfd), "cafe", "caf", Name(Self.angstrom), Name(Self.letterA), ""].sorted()
        // 63 61 66 < 63 61 66 65 < 63 61 66 65 CC 81 < 63 61 66 C3 A9 < C3 85 < E2 84 AB
        #expect(
            sorted.map { Array($0.string.utf8) } == [
                [], [0x63, 0x61, 0x66], [0x63, 0x61, 0x66, 0x65], [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81],
                [0x63, 0x61, 0x66, 0xC3, 0xA9], [0xC3, 0x85], [0xE2, 0x84, 0xAB],
            ])
        #expect(Name.compareBytes(Self.nfc, Self.nfc) == 0)
        #expect(Name.compareBytes(Self.nfd, Self.nfc) < 0 && Name.compareBytes(Self.nfc, Self.nfd) > 0)
    }

    @Test func deviceAndSeriesKeysCompareHashAndSortByBytes() {
        let nfc = DeviceKey(park: "p", site: "s", device: Self.nfc)
        let nfd = DeviceKey(park: "p", site: "s", device: Self.nfd)
        #expect(nfc != nfd)
        #expect(nfc == DeviceKey(park: "p", site: "s", device: "caf\u{E9}"))
        #expect(Set([nfc, nfd, DeviceKey(park: "p", site: "s", device: "caf\u{E9}")]).count == 2)
        #expect(DeviceKey(park: Self.letterA, site: "s", device: "d") != DeviceKey(park: Self.angstrom, site: "s", device: "d"))
        #expect(DeviceKey(park: "p", site: Self.letterA, device: "d") != DeviceKey(park: "p", site: Self.angstrom, device: "d"))
        #expect([nfc, nfd].sorted() == [nfd, nfc])
        // Park first, then site, then device.
        let keys = [
            DeviceKey(park: "b", site: "a", device: "a"), DeviceKey(park: "a", site: "b", device: "a"),
            DeviceKey(park: "a", site: "a", device: "b"), DeviceKey(park: "a", site: "a", device: "a"),
        ]
        #expect(keys.sorted() == keys.reversed())

        let metricNFC = SeriesKey(device: nfc, metric: Self.nfc)
        let metricNFD = SeriesKey(device: nfc, metric: Self.nfd)
        #expect(metricNFC != metricNFD && Set([metricNFC, metricNFD]).count == 2)
        #expect(
            [metricNFC, metricNFD, SeriesKey(device: nfd, metric: "z")].sorted()
                == [SeriesKey(device: nfd, metric: "z"), metricNFD, metricNFC])
    }

    @Test func theCatalogueKeepsNamesThatDifferOnlyInNormalisationApart() throws {
        let catalogue = MetricCatalogue([
            MetricDefinition(name: Self.nfc, kind: .gauge, unit: "a"),
            MetricDefinition(name: Self.nfd, kind: .counter, unit: "b"),
            MetricDefinition(name: Self.nfc, kind: .gauge, unit: "c"),  // replaces the first
        ])
        #expect(catalogue.definitions.count == 2)
        #expect(catalogue.definitions.map { Array($0.name.utf8) } == [Array(Self.nfc.utf8), Array(Self.nfd.utf8)])
        #expect(catalogue.definition(named: Self.nfc)?.unit == "c")
        #expect(catalogue.definition(named: Self.nfd)?.kind == .counter)
        #expect(catalogue.index(named: Self.nfd) == 1)
        let nfd = Array(Self.nfd.utf8)
        #expect(nfd.withUnsafeBytes { catalogue.index(nameBytes: $0) } == 1)
        #expect(catalogue.definition(named: "cafe") == nil)
        #expect(
            MetricDefinition(name: Self.nfc, kind: .gauge, unit: "") != MetricDefinition(name: Self.nfd, kind: .gauge, unit: ""))
        #expect(
            MetricDefinition(name: "s", kind: .state, unit: "", states: [Self.nfc])
                != MetricDefinition(name: "s", kind: .state, unit: "", states: [Self.nfd]))
    }

    @Test func timedStatesAndRecordsCompareNamesByBytes() {
        #expect(StatePartial.TimedState(timestampMillis: 1, state: Self.nfc) != .init(timestampMillis: 1, state: Self.nfd))
        #expect(StatePartial.TimedState(timestampMillis: 1, state: Self.nfc) == .init(timestampMillis: 1, state: "caf\u{E9}"))
        let record = QuarantineRecord(
            receivedAtMillis: 0, topic: "t", reason: .unknownMetric, detail: "d", payloadExcerpt: "", payloadBytes: 0,
            metric: Self.nfc)
        var other = record
        #expect(record == other)
        other.metric = Self.nfd
        #expect(record != other)
        other = record
        other.device = DeviceKey(park: "p", site: "s", device: Self.nfd)
        #expect(record != other)
    }
}
