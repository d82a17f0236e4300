// Why hand-written: the MQTT network thread must hand every raw message to the pipeline thread
// without a lock, an allocation or a reference count per message, and must wait (never drop)
// when the pipeline falls behind. The model is Erik Rigtorp's SPSCQueue (one producer, one
// consumer, two monotonic indices on separate cache lines, each side caching the other's
// index), adapted to variable-size records in a single byte ring.
//
// Memory: one raw allocation, 128-byte aligned, laid out in 128-byte lines:
//
//   line 0  writeIndex     atomic; stored by the producer, loaded by the consumer
//   line 1  ProducerCursor producer-only: its write position, last published position and
//                          its cached copy of readIndex
//   line 2  readIndex      atomic; stored by the consumer, loaded by the producer
//   line 3  ConsumerCursor consumer-only: its read position and cached copy of writeIndex
//   line 4  closed         atomic flag; set by close(), polled by a waiting producer;
//           syncFailures   atomic count of failed msyncs (offset 8), both rarely written
//   line 5  FileHeader     magic, format version and capacity (checked when a ring file is reopened)
//   line 6… data           `capacityBytes` bytes of records
//
// 128 rather than 64 bytes because Intel's adjacent-line prefetcher pulls 64-byte lines in
// pairs, so two indices 64 bytes apart still ping-pong between cores (Folly and crossbeam's
// CachePadded use 128 on x86-64 for the same reason). Each index is alone on its
// line so that the side storing it never invalidates a line the other side only reads for a
// different reason; each side's private cursor is alone so that the other side's loads of the
// shared index never evict it. The data area starts and ends on a line boundary, so no other
// allocation shares its first or last line.
//
// All mutable state lives in that raw block, reached through `let` pointers: a stored `var`
// of a class would get a dynamic exclusivity check on every access even at -O.
//
// Indices are monotonic byte counters (Int, 64-bit on every platform the gateway supports):
// `writeIndex - readIndex` is the number of bytes in use, so full and empty are never
// ambiguous and a wrapped index can never be mistaken for an old one (no ABA). At 10 GB/s
// they overflow after 29 years. The offset in the data area is `index & (capacity - 1)`.
//
// Records (8-byte aligned, never wrapping past the end of the data area):
//
//   offset 0   UInt32  length: header + topic + payload, WITHOUT the padding. The padded
//                      stride is (length + 7) & ~7; storing the unpadded length is what lets
//                      the payload length be derived (length - 32 - topicLength).
//   offset 4   UInt32  topic length
//   offset 8   Int64   receive time, ns since the Unix epoch
//   offset 16  Int64   the record's own position (the index it starts at)
//   offset 24  UInt32  bits 0–15: MQTT packet identifier (0 for QoS 0): a broker's redelivery
//                      of a QoS 1 message carries the same one, which the pipeline's redelivery
//                      window uses. Bit 16: delivered with MQTT's retain flag. Bit 17: the payload
//                      was cut to fit the ring, and its last 8 bytes are the full payload's
//                      length (Int64), not payload bytes.
//   offset 28  UInt32  CRC-32C of bytes 0..<28 and of the topic and payload (file-backed rings
//                      only; an anonymous ring leaves it unwritten)
//   offset 32  topic bytes, then payload bytes, then 0–7 bytes of padding.
//
// Position and checksum exist for the write-ahead ring file (MessageRing+File.swift): after a
// power cut the pages of the file may have reached the disk in any order, so recovery accepts a
// record only if it says it starts where it is expected (never a record of an earlier lap) and
// its checksum holds (never a torn one).
//
// When a record does not fit between its offset and the end of the data area, the producer
// writes a skip marker (a length of UInt32.max, which no record can have, then the low 32 bits
// of its position / 8, so recovery can tell it from an earlier lap's marker; at least 8 bytes
// remain since every offset is a multiple of 8) and puts the record at offset 0; the skipped
// tail bytes count as used until the consumer passes them. `maxMessageBytes` is
// capacity/2 - 32, so a record's stride is at most capacity/2; if it doesn't fit before the
// end of an empty ring, its offset is past capacity/2, so skip + record ≤ capacity: every
// accepted message fits once the consumer has drained the ring.
//
// Memory orderings (the only two synchronising pairs):
// * producer: record bytes, then writeIndex.store(.releasing)
//   consumer: writeIndex.load(.acquiring), then read the records
//   → the consumer never sees an index covering bytes it can't yet see.
// * consumer: read the records (inside `body`), then readIndex.store(.releasing)
//   producer: readIndex.load(.acquiring), then overwrite the freed bytes
//   → the producer never overwrites bytes the consumer may still be reading.
// On x86-64 both are plain moves (TSO); on ARM64 they are stlr/ldar. Each side reads its own
// position from its private cursor, never from the atomic it owns, and reloads the other
// side's atomic only when its cached copy says full (producer) or empty (consumer), so in
// steady state a cache line crosses between cores about once per batch, not per message.

import Atomics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bounded, lock-free, single-producer/single-consumer ring of raw MQTT messages
/// (topic, payload, receive time), stored as variable-size records in one byte buffer.
///
/// Thread roles: exactly one producer thread (the MQTT network thread) calls `tryPush`,
/// `tryStage`, `publish` and `push`; exactly one consumer thread (the pipeline) calls
/// `consume`. `usedBytes`, `capacityBytes`, `maxMessageBytes` and `close` may be used from any
/// thread. The roles may move to another thread only across a synchronising hand-over.
///
/// `@unchecked Sendable` is sound under that contract: every mutable byte is owned by exactly
/// one role (the producer's cursor and the free bytes, the consumer's cursor and the published
/// bytes), ownership of record bytes moves only through the release/acquire pairs on
/// `writeIndex` and `readIndex` explained in this file's header, and `closed` is an atomic.
public final class MessageRing: @unchecked Sendable {
    /// Size of the data area in bytes: a power of two, at least 64 KiB.
    public let capacityBytes: Int
    /// The largest topic + payload byte count a message may have: `capacityBytes / 2 - 32`.
    /// Larger messages are refused (never truncated) so the caller can quarantine them.
    public let maxMessageBytes: Int

    /// Bytes of a record header: length, topic length, receive time, position, packet id, checksum.
    static let headerBytes = 32
    /// Header bytes the checksum covers: all but its own field (offsets 28..<32).
    static let checkedHeaderBytes = 28
    /// Bit of the word at offset 24 set for a message delivered with the retain flag.
    static let retainedFlag: UInt32 = 1 << 16
    /// Bit of the word at offset 24 set for a payload cut to fit, followed by its full length.
    static let truncatedFlag: UInt32 = 1 << 17
    /// The length value that marks "rest of the data area unused; continue at offset 0".
    static let skipMarker = UInt32.max
    /// Distance between independently written fields; see the file header for the choice.
    static let lineBytes = 128
    /// Smallest accepted capacity.
    static let minimumCapacity = 64 * 1024
    /// Largest accepted capacity: a record is at most capacity/2 = 2 GiB long, which still
    /// fits the header's UInt32 and stays below the skip marker.
    static let maximumCapacity = 1 << 32

    /// `capacityBytes - 1`; offsets are `index & mask`.
    let mask: Int
    /// Start of the raw block holding the control lines and the data area.
    let block: UnsafeMutableRawPointer
    /// Start of the data area (after the control lines, at `Line.data`).
    let data: UnsafeMutableRawPointer
    /// Bytes published by the producer so far (line 0).
    let writeIndex: UnsafeAtomic<Int>
    /// Bytes released by the consumer so far (line 2).
    let readIndex: UnsafeAtomic<Int>
    /// Set once by `close()` (line 4).
    let closed: UnsafeAtomic<Bool>
    /// msync calls that failed (line 4, offset 8): acknowledged records that may not survive a
    /// power cut. Written by whichever side syncs, read by `RingSyncSchedule`, which reports them.
    let syncFailures: UnsafeAtomic<Int>
    /// True for a file-backed ring: consumed bytes are kept until `release(through:)`, and
    /// every record carries a checksum for recovery.
    public let retainsConsumed: Bool
    /// Bytes after the last intact record that opening the ring file dropped (torn by a power
    /// cut; 0 after a process crash). Set by `openFile` before the ring is shared.
    public internal(set) var tornBytesDiscarded = 0
    /// File-backed ring opened with `SyncMode.eachPublish`: `publish()` returns only once the
    /// records are on stable storage.
    let syncsEachPublish: Bool
    /// The open ring file (locked) of a file-backed ring, -1 for an anonymous one.
    let fileDescriptor: Int32
    /// Where the ring file lives; its msyncs, page releases, unmapping and closing go through it
    /// (never a record's stage or publish). Unused by an anonymous ring.
    let fileSystem: any FileSystem
    /// Producer-only state (line 1).
    let producer: UnsafeMutablePointer<ProducerCursor>
    /// Consumer-only state (line 3).
    let consumer: UnsafeMutablePointer<ConsumerCursor>

    /// State touched only by the producer thread.
    struct ProducerCursor {
        /// End of the last staged record (≥ `published`).
        var tail: Int
        /// The value last stored into `writeIndex`.
        var published: Int
        /// The producer's last view of `readIndex`; never ahead of the real one.
        var cachedHead: Int
        /// Records before this position are on stable storage (`syncsEachPublish` only).
        var synced: Int
        /// Between `deferSyncs()` and `syncDeferred()`: `publish()` leaves the msync to the latter.
        var deferring: Bool
    }

    /// State touched only by the consumer thread.
    struct ConsumerCursor {
        /// Start of the next unread record; equals the value last stored into `readIndex`.
        var head: Int
        /// The consumer's last view of `writeIndex`; never ahead of the real one.
        var cachedTail: Int
        /// Records before this position were on stable storage at the last `syncPublished()`.
        var synced: Int
    }

    /// What staging one message did.
    enum StageResult {
        /// Written behind the published index; invisible until `publish()`.
        case staged
        /// Not enough free bytes now (anything staged before has been published).
        case full
        /// topic + payload exceeds `maxMessageBytes`: it will never fit.
        case tooLarge
    }

    /// Bytes before the data area: five control lines and the file header line.
    static let controlBytes = Line.data * lineBytes

    /// Creates an empty ring with `capacityBytes` of record storage (one allocation of
    /// capacity + 768 bytes, made here and never again).
    ///
    /// - Precondition: `capacityBytes` is a power of two in 64 KiB…4 GiB. It comes from the
    ///   validated configuration, not from the network.
    public convenience init(capacityBytes: Int) {
        Self.checkCapacity(capacityBytes)
        let block = UnsafeMutableRawPointer.allocate(byteCount: Self.controlBytes + capacityBytes, alignment: Self.lineBytes)
        self.init(
            block: block, capacityBytes: capacityBytes, restoring: nil, fileDescriptor: -1,
            fileSystem: PosixFileSystem(), syncsEachPublish: false)
    }

    static func checkCapacity(_ capacityBytes: Int) {
        precondition(
            capacityBytes >= Self.minimumCapacity && capacityBytes <= Self.maximumCapacity
                && capacityBytes & (capacityBytes - 1) == 0,
            "MessageRing capacityBytes = \(capacityBytes): expected a power of two between "
                + "\(Self.minimumCapacity) (64 KiB) and \(Self.maximumCapacity) (4 GiB)")
    }

    /// Lays out the control lines in `block`. `restoring` carries the published write index and
    /// the released read index of a reopened ring file; `nil` starts empty.
    init(
        block: UnsafeMutableRawPointer, capacityBytes: Int, restoring: (write: Int, read: Int)?,
        fileDescriptor: Int32, fileSystem: any FileSystem, syncsEachPublish: Bool
    ) {
        self.capacityBytes = capacityBytes
        self.maxMessageBytes = capacityBytes / 2 - Self.headerBytes
        self.mask = capacityBytes - 1
        self.block = block
        self.fileDescriptor = fileDescriptor
        self.fileSystem = fileSystem
        self.retainsConsumed = fileDescriptor >= 0
        self.syncsEachPublish = syncsEachPublish

        let line = Self.lineBytes
        assert(Int(bitPattern: block) % line == 0, "ring storage is not \(line)-byte aligned")
        data = block + Self.controlBytes
        let written = restoring?.write ?? 0
        let read = restoring?.read ?? 0

        let writeStorage = (block + Line.writeIndex * line).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        writeStorage.initialize(to: .init(written))
        writeIndex = UnsafeAtomic(at: writeStorage)

        producer = (block + Line.producer * line).bindMemory(to: ProducerCursor.self, capacity: 1)
        producer.initialize(
            to: ProducerCursor(tail: written, published: written, cachedHead: read, synced: written, deferring: false))

        let readStorage = (block + Line.readIndex * line).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        readStorage.initialize(to: .init(read))
        readIndex = UnsafeAtomic(at: readStorage)

        consumer = (block + Line.consumer * line).bindMemory(to: ConsumerCursor.self, capacity: 1)
        consumer.initialize(to: ConsumerCursor(head: read, cachedTail: read, synced: written))

        let closedStorage = (block + Line.flags * line).bindMemory(to: UnsafeAtomic<Bool>.Storage.self, capacity: 1)
        closedStorage.initialize(to: .init(false))
        closed = UnsafeAtomic(at: closedStorage)
        let failuresStorage = (block + Line.flags * line + 8).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        failuresStorage.initialize(to: .init(0))
        syncFailures = UnsafeAtomic(at: failuresStorage)

        let header = (block + Line.fileHeader * line).bindMemory(to: FileHeader.self, capacity: 1)
        header.initialize(to: FileHeader(capacityBytes: capacityBytes))
    }

    deinit {
        // Every value in the block is a trivial type: nothing to deinitialize.
        if fileDescriptor >= 0 {
            _ = fileSystem.unmap(block, length: Self.controlBytes + capacityBytes)
            _ = fileSystem.close(fileDescriptor)
        } else {
            block.deallocate()
        }
    }

    /// Bytes in use (records, padding and skipped tails, as published), from any thread.
    /// Approximate while both sides run; always within 0…`capacityBytes`. For the status
    /// line's "ring fill".
    public var usedBytes: Int {
        // Acquire keeps the writeIndex load below from being performed before this one, so
        // the write index we read is at least the read index we read (it is never behind the
        // read index at any instant, and only grows); the min covers both moving meanwhile.
        let read = readIndex.load(ordering: .acquiring)
        let written = writeIndex.load(ordering: .relaxed)
        return min(written &- read, capacityBytes)
    }
}
