/// Recognising a message without `seq` that arrives again (see `RedeliveryWindow`).
extension IngestPipeline {
    /// What the redelivery window says about a message without `seq`.
    enum Arrival {
        case new
        /// Timestamped and seen before: the same readings again, to be dropped.
        case repeated(messagesAgo: Int64)
        /// Without timestamps, and the broker delivers it again with the packet id it had: to be
        /// counted again (at least once) and reported.
        case redelivered
    }

    /// Looks a message without `seq` up in the redelivery window and records it.
    ///
    /// Readings that all carry `ts` are what they are however often they arrive, so equal topic
    /// and payload bytes are a duplicate whoever sent them twice (broker or device). Readings
    /// stamped with receive time are new readings when a device repeats them; only a broker's
    /// QoS 1 redelivery is recognisable, by the same bytes under the same packet id, within
    /// `packetIDReuseHorizon` messages (a broker reuses an id only after 65,535 others).
    /// `allTimestamped` says whether every reading of the message carries its own time.
    func recognise(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, packetID: UInt16, allTimestamped: Bool
    ) -> Arrival {
        guard redeliveries.capacity > 0 else { return .new }
        let number = Int64(stats.messages)
        if allTimestamped {
            let fingerprint = redeliveries.fingerprint(topic: topic, payload: payload)
            if let earlier = redeliveries.arrival(of: fingerprint) { return .repeated(messagesAgo: number - earlier) }
            redeliveries.record(fingerprint, messageNumber: number)
            return .new
        }
        guard packetID != 0 else { return .new }
        let fingerprint = redeliveries.fingerprint(topic: topic, payload: payload, packetID: packetID)
        if let earlier = redeliveries.arrival(of: fingerprint), number - earlier < Self.packetIDReuseHorizon {
            return .redelivered
        }
        redeliveries.record(fingerprint, messageNumber: number)
        return .new
    }

    /// Messages within which an equal packet id and payload is a redelivery, not a reused id.
    static let packetIDReuseHorizon: Int64 = 32_768
}
