// The consumer side of MessageRing: reading published records in batches. The layout, the
// record format and the memory orderings are explained in MessageRing.swift's header.

extension MessageRing {
    /// Consumer only. Calls `body` for up to `maxMessages` available messages, oldest first,
    /// then releases all their space with one store. Returns how many were consumed (0 when the
    /// ring is empty or `maxMessages` ≤ 0). O(messages); copies and allocates nothing.
    ///
    /// The views in each `RawMessage` are valid only inside `body`. If `body` throws, the
    /// messages before the throwing one are consumed and released, the throwing one stays at
    /// the head (the next `consume` delivers it again), and the error is rethrown.
    public func consume(maxMessages: Int, _ body: (RawMessage) throws -> Void) rethrows -> Int {
        let start = consumer.pointee.head
        var head = start
        var available = consumer.pointee.cachedTail
        var count = 0
        defer {
            if head != start {
                consumer.pointee.head = head
                if !retainsConsumed {
                    // Release: every read of the records `body` saw happens before the producer,
                    // whose acquire load of readIndex returns this value, reuses their bytes.
                    readIndex.store(head, ordering: .releasing)
                }
            }
        }
        while count < maxMessages {
            if head == available {
                // The cached write index says empty: only now look at the real one. Acquire
                // pairs with the producer's release store in `publish`: the records below it
                // are fully written and visible.
                available = writeIndex.load(ordering: .acquiring)
                consumer.pointee.cachedTail = available
                if head == available { break }
            }
            let offset = head & mask
            let record = data + offset
            let length = record.load(as: UInt32.self)
            if length == Self.skipMarker {
                head &+= capacityBytes - offset
                continue
            }
            let topicLength = Int(record.load(fromByteOffset: 4, as: UInt32.self))
            let delivery = record.load(fromByteOffset: 24, as: UInt32.self)
            let truncated = delivery & Self.truncatedFlag != 0
            let payloadLength = Int(length) - Self.headerBytes - topicLength - (truncated ? 8 : 0)
            assert(payloadLength >= 0 && Int(length) <= capacityBytes - offset, "corrupt ring record at offset \(offset)")
            let topicStart = record + Self.headerBytes
            let payloadStart = topicStart + topicLength
            try body(
                RawMessage(
                    topic: UnsafeRawBufferPointer(start: topicStart, count: topicLength),
                    payload: UnsafeRawBufferPointer(start: payloadStart, count: payloadLength),
                    receivedAtNanos: record.load(fromByteOffset: 8, as: Int64.self),
                    packetID: UInt16(truncatingIfNeeded: delivery),
                    retained: delivery & Self.retainedFlag != 0,
                    payloadBytes: truncated
                        ? Int(payloadStart.loadUnaligned(fromByteOffset: payloadLength, as: Int64.self)) : payloadLength,
                    position: head))
            head &+= (Int(length) + 7) & ~7
            count += 1
        }
        return count
    }

    /// Consumer only. The receive time (ns since the epoch) of the oldest message published and
    /// not consumed yet, nil when there is none: how far behind the consumer is. O(1), no system
    /// call: one acquire load of the write index and one record header.
    public func oldestWaitingReceivedAtNanos() -> Int64? {
        var head = consumer.pointee.head
        // Acquire, as in `consume`: the records below the index are fully written.
        let available = writeIndex.load(ordering: .acquiring)
        guard head != available else { return nil }
        if (data + (head & mask)).load(as: UInt32.self) == Self.skipMarker {
            head &+= capacityBytes - (head & mask)
            // As in `consume`: nothing after a marker means nothing waits.
            guard head != available else { return nil }
        }
        return (data + (head & mask)).load(fromByteOffset: 8, as: Int64.self)
    }
}
