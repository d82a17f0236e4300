/// The simulated devices, laid out deterministically over parks, sites and kinds.
///
/// Device `i` is in park `parks[i % 6]`, site `sites[(i / 6) % 4]`, of kind
/// `DeviceKind.allCases[(i + i / 6) % 3]`: consecutive devices go round-robin over the parks,
/// each pass over the parks moves to the next site and shifts the kinds by one, so every park
/// gets every kind as soon as there are 18 devices. Device 3 is `yen-my/f01/env-0003`.
struct Fleet: Sendable {
    /// The industrial parks, in round-robin order.
    static let parks = ["hoa-lac-hitech", "thang-long-ii", "pho-noi-a", "yen-my", "yen-my-ii", "dinh-vu"]
    /// The sites of each park, in round-robin order.
    static let sites = ["f01", "f02", "f03", "f04"]

    /// The devices, index `i` at position `i`.
    let devices: [SimulatedDevice]

    /// Builds `count` devices, indices `firstIndex` to `firstIndex + count - 1`, whose model
    /// parameters derive from `seed`. A device is the same whichever fleet it is part of, so
    /// several simulator processes with disjoint index ranges make up one larger fleet.
    init(count: Int, seed: UInt64, topicPrefix: String = "iiot", seqStart: UInt64 = 1, firstIndex: Int = 0) {
        let kinds = DeviceKind.allCases
        devices = (firstIndex..<(firstIndex + count)).map { index in
            SimulatedDevice(
                index: index,
                kind: kinds[(index + index / Self.parks.count) % kinds.count],
                park: Self.parks[index % Self.parks.count],
                site: Self.sites[(index / Self.parks.count) % Self.sites.count],
                topicPrefix: topicPrefix,
                seed: seed,
                seqStart: seqStart
            )
        }
    }
}
