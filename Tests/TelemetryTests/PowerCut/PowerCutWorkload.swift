/// The messages of one power-cut trial, in the order the broker delivers them, and the facts
/// that make every reading recognisable in the rollups.
///
/// Each device sends `{"ts":…,"seq":…,"values":{"v":2^a,"w":2^b}}` with `a` the number of its
/// earlier messages in the same 10 s window and `b` in the same 30 s window. The sum of a
/// window's readings of `v` (10 s tier) or `w` (30 s tier) then names exactly which messages it
/// holds (its set bits), and a count above the number of set bits means a reading counted twice.
/// Some messages carry a third reading of a metric outside the catalogue (a quarantine line,
/// the others still counted), a few are not JSON at all (a quarantine line, nothing counted).
struct PowerCutWorkload {
    /// One MQTT message.
    struct Message {
        let index: Int
        let device: Int
        let topic: [UInt8]
        let payload: [UInt8]
        let receivedAtMillis: Int64
        let packetID: UInt16
        /// Not JSON: quarantined, no reading counted.
        let malformed: Bool
        let window10: Int64
        let bit10: Int
        let window30: Int64
        let bit30: Int
    }

    static let devices = 24
    /// Readings of one device in one window stay below this, so that sums of distinct powers of
    /// two stay exact in a Double (53 bits).
    static let maxPerWindow = 50

    let messages: [Message]
    /// (device, tier length, window start, bit) → message index.
    let byBit: [BitKey: Int]

    /// Identifies a reading within the rollups: device, tier, window and its bit.
    struct BitKey: Hashable {
        let device: Int
        let tierMillis: Int64
        let windowStart: Int64
        let bit: Int
    }

    static func topic(device: Int) -> String { "iiot/park/site/dev-\(device)/telemetry" }

    init(seed: UInt64, count: Int) {
        var random = SplitMix64(seed: seed)
        var clock: Int64 = 1_763_700_000_000 + Int64(random.next(below: 10_000))
        var lastTs = [Int64](repeating: 0, count: Self.devices)
        var seq = [Int](repeating: 0, count: Self.devices)
        var perWindow: [BitKey: Int] = [:]
        var messages: [Message] = []
        var byBit: [BitKey: Int] = [:]
        while messages.count < count {
            clock += Int64(random.next(below: 60))
            let device = random.next(below: Self.devices)
            let ts = max(lastTs[device] + 1, clock - Int64(random.next(below: 50)))
            let window10 = ts - ts % 10_000, window30 = ts - ts % 30_000
            let key10 = BitKey(device: device, tierMillis: 10_000, windowStart: window10, bit: 0)
            let key30 = BitKey(device: device, tierMillis: 30_000, windowStart: window30, bit: 0)
            let bit10 = perWindow[key10, default: 0], bit30 = perWindow[key30, default: 0]
            guard bit10 < Self.maxPerWindow, bit30 < Self.maxPerWindow else { continue }
            lastTs[device] = ts
            seq[device] += 1
            let index = messages.count
            let malformed = random.next(below: 50) == 0
            let payload: String
            if malformed {
                payload = #"{"ts":\#(ts),"seq":\#(seq[device]),"values":{"v":"#
            } else {
                perWindow[key10] = bit10 + 1
                perWindow[key30] = bit30 + 1
                byBit[BitKey(device: device, tierMillis: 10_000, windowStart: window10, bit: bit10)] = index
                byBit[BitKey(device: device, tierMillis: 30_000, windowStart: window30, bit: bit30)] = index
                let extra = random.next(below: 20) == 0 ? #","x":1"# : ""
                payload = #"{"ts":\#(ts),"seq":\#(seq[device]),"values":{"v":\#(1 << bit10),"w":\#(1 << bit30)\#(extra)}}"#
            }
            messages.append(
                Message(
                    index: index, device: device, topic: Array(Self.topic(device: device).utf8), payload: Array(payload.utf8),
                    receivedAtMillis: clock, packetID: UInt16(index % 65_535 + 1), malformed: malformed,
                    window10: window10, bit10: bit10, window30: window30, bit30: bit30))
        }
        self.messages = messages
        self.byBit = byBit
    }
}
