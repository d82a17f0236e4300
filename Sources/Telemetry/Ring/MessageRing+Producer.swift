// The producer side of MessageRing: copying a message in, staging and publishing. The layout,
// the record format and the memory orderings are explained in MessageRing.swift's header.

extension MessageRing {
    /// Producer only. Copies the message into the ring and publishes it (together with any
    /// message staged before). Wait-free: O(topic + payload) copy, no allocation.
    ///
    /// Returns false when it does not fit now (the ring is full: retry after the consumer has
    /// caught up, or use `push`, which waits) and also when it can never fit
    /// (`topic.count + payload.count > maxMessageBytes`): check that bound first and
    /// quarantine such a message instead of retrying it.
    public func tryPush(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, packetID: UInt16 = 0,
        retained: Bool = false, payloadBytes: Int? = nil
    ) -> Bool {
        guard
            case .staged = stage(
                topic: topic, payload: payload, receivedAtNanos: receivedAtNanos, packetID: packetID, retained: retained,
                payloadBytes: payloadBytes)
        else {
            return false
        }
        publish()
        return true
    }

    /// Producer only. Like `tryPush`, but leaves the message invisible to the consumer until
    /// `publish()` (or the next `tryPush`/`push`), so a burst costs one index store and one
    /// cache-line transfer instead of one per message.
    ///
    /// When the message does not fit, everything staged so far is published before returning
    /// false, so a producer retrying in a loop can never starve the consumer of the very bytes
    /// it must free.
    public func tryStage(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, packetID: UInt16 = 0,
        retained: Bool = false, payloadBytes: Int? = nil
    ) -> Bool {
        if case .staged = stage(
            topic: topic, payload: payload, receivedAtNanos: receivedAtNanos, packetID: packetID, retained: retained,
            payloadBytes: payloadBytes)
        {
            return true
        }
        return false
    }

    /// Producer only. Makes every staged message visible to the consumer: one release store,
    /// skipped when nothing is pending. A ring opened with `SyncMode.eachPublish` then waits
    /// until the records and the index are on stable storage (one msync).
    public func publish() {
        let tail = producer.pointee.tail
        guard tail != producer.pointee.published else { return }
        producer.pointee.published = tail
        // Release: the record bytes written by `stage` become visible to a consumer whose
        // acquire load of writeIndex reads this value (or a later one).
        writeIndex.store(tail, ordering: .releasing)
        if syncsEachPublish && !producer.pointee.deferring {
            syncProducerRecords()
        }
    }

    /// Producer only. Writes one record behind the published index. O(topic + payload).
    /// `payloadBytes`, when larger than `payload.count`, is the size of the whole payload that
    /// `payload` is the beginning of (it was cut to fit): the record keeps it, in 8 more bytes.
    @inline(__always)
    func stage(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAtNanos: Int64, packetID: UInt16,
        retained: Bool, payloadBytes: Int?
    ) -> StageResult {
        let fullPayloadBytes = payloadBytes ?? payload.count
        let truncated = fullPayloadBytes > payload.count
        let messageBytes = topic.count + payload.count + (truncated ? 8 : 0)
        guard messageBytes <= maxMessageBytes else { return .tooLarge }
        let length = Self.headerBytes + messageBytes
        let stride = (length + 7) & ~7

        let tail = producer.pointee.tail
        let offset = tail & mask
        let untilEnd = capacityBytes - offset
        let needed = stride <= untilEnd ? stride : untilEnd + stride
        if tail &+ needed &- producer.pointee.cachedHead > capacityBytes {
            // The cached read index says full: only now look at the real one. Acquire pairs
            // with the consumer's release store in `consume`: its reads of the bytes we are
            // about to overwrite are finished before we write them.
            let head = readIndex.load(ordering: .acquiring)
            producer.pointee.cachedHead = head
            if tail &+ needed &- head > capacityBytes {
                publish()
                return .full
            }
        }

        var record = data + offset
        var recordStart = tail
        if stride > untilEnd {
            record.storeBytes(of: Self.skipMarker, as: UInt32.self)
            record.storeBytes(of: Self.skipCheck(position: tail), toByteOffset: 4, as: UInt32.self)
            record = data
            recordStart = tail &+ untilEnd
        }
        record.storeBytes(of: UInt32(truncatingIfNeeded: length), as: UInt32.self)
        record.storeBytes(of: UInt32(truncatingIfNeeded: topic.count), toByteOffset: 4, as: UInt32.self)
        record.storeBytes(of: receivedAtNanos, toByteOffset: 8, as: Int64.self)
        record.storeBytes(of: Int64(recordStart), toByteOffset: 16, as: Int64.self)
        var delivery = UInt32(packetID)
        if retained { delivery |= Self.retainedFlag }
        if truncated { delivery |= Self.truncatedFlag }
        record.storeBytes(of: delivery, toByteOffset: 24, as: UInt32.self)
        let topicStart = record + Self.headerBytes
        if let source = topic.baseAddress {
            topicStart.copyMemory(from: source, byteCount: topic.count)
        }
        if let source = payload.baseAddress {
            (topicStart + topic.count).copyMemory(from: source, byteCount: payload.count)
        }
        if truncated {
            (topicStart + topic.count + payload.count).storeBytes(of: Int64(fullPayloadBytes), as: Int64.self)
        }
        if retainsConsumed {
            record.storeBytes(of: Self.checksum(ofRecord: record, length: length), toByteOffset: 28, as: UInt32.self)
        }
        producer.pointee.tail = recordStart &+ stride
        return .staged
    }
}
