// Why a mapped file: the write-ahead ring replays every record a crashed process had not
// checkpointed, so a message that makes the process trap would make every restart trap again.
// To recognise such a message the pipeline must know, after the crash, which record it was in.
// A store into a shared file mapping survives the process (the page cache keeps it) and costs a
// plain store per message: no system call, no fsync. It does not survive a power cut, which is
// fine: a power cut says nothing about the record in progress.
//
// File layout (`<data_directory>/ingest.inflight`, 4 KiB, Int64 words, native byte order):
//
//   word 0   magic "TGPOIS01"
//   word 1   position of the ring record being processed, -1 between records
//   word 2   its receive time (ns): with the position, tells it from a record of a new ring file
//   word 3   its topic and stored payload sizes (topic << 32 | payload)
//   word 4   fingerprint of the last record a process died in (0: none)
//   word 5   its sizes, as word 3
//   word 6   how many processes died in it
//   word 7   poison records remembered (at most `maxPoisons`)
//   word 8…  pairs (fingerprint, sizes) of the poison records, newest last
//
// Words 1–3 are atomics with relaxed ordering: only this thread writes them and only a later
// process reads them, so ordering is not needed; atomicity keeps the compiler from dropping a
// store that the same thread overwrites soon after.
//
//   words 32…36  the machine's boot id (/proc/sys/kernel/random/boot_id, 36 ASCII bytes) of the
//                process that wrote the file
//
// A power cut leaves whatever page the kernel last wrote back: words 1–3 then name the record
// being ingested at that moment, which did not stop the process. The boot id tells the two
// apart: a mark left under another boot id is a reboot or a power cut, not a death, and is
// ignored.

import Atomics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Recognises a ring record that stopped the process while it was being ingested, so that it is
/// quarantined as `poison_message` on the next replay instead of stopping ingestion forever.
///
/// A record the process died inside is a suspect. When the replay reaches a suspect, its
/// fingerprint (topic and payload bytes) is compared with the previous suspect's: a second death
/// in the same message (the same record, or a copy the broker delivered again) makes it poison.
/// Poison is set aside from then on, whatever its position. Deaths with no message in progress
/// (between records, in a checkpoint, a signal) leave no suspect.
///
/// Thread safety: `enter` and `leave` are called by the consumer thread only (the one calling
/// `MessageRing.consume`); `@unchecked Sendable` lets the guard be created on another thread and
/// handed over before the consumer starts.
public final class PoisonGuard: @unchecked Sendable {
    /// What `enter` decided about a message.
    public enum Verdict: Equatable, Sendable {
        /// Ingest it.
        case ingest
        /// Quarantine it as `poison_message`: `deaths` processes died inside it (at least 2), the
        /// last at ring position `position` (nil for a copy recognised by its fingerprint).
        case poison(deaths: Int, position: Int?)
    }

    /// A record a previous process died inside, not yet met again.
    public struct Crash: Equatable, Sendable {
        /// The record's position in the ring.
        public var position: Int
        /// Its receive time, in ns since the Unix epoch.
        public var receivedAtNanos: Int64
    }

    /// Poison records remembered; the oldest is forgotten beyond this.
    static let maxPoisons = 8
    /// Deaths inside one message that make it poison.
    public static let deathsToPoison = 2
    static let fileBytes = 4_096
    static let magic: Int64 = 0x3130_5349_4F50_4754  // "TGPOIS01", little-endian
    static let idle = -1
    /// A fixed key: fingerprints are compared across processes.
    static let hasher = ByteHash(seed: 0x5D58_87A1_F1B1_C3E2, multiplier: 0xD6E8_FEB8_6659_FD93)

    /// The record the previous process died inside, if it died inside one (read at `open`).
    public let previousCrash: Crash?
    /// True when the previous process left a record marked under another boot of the machine
    /// (a reboot or power cut, not a death inside the record): the mark was ignored.
    public let ignoredMarkFromAnotherBoot: Bool
    private var pending: Crash?
    /// The suspect record is being replayed: if `leave` comes, it did not kill this process, so
    /// its death was not the message's doing and the suspect is cleared (deaths must follow
    /// each other to make poison; a device that repeats the same payload must not collect
    /// deaths from unrelated crashes months apart).
    private var replayingSuspect = false
    private var poisons: [(fingerprint: UInt64, sizes: Int64)] = []
    private let words: UnsafeMutablePointer<Int64>
    private let position: UnsafeAtomic<Int>
    private let receivedAt: UnsafeAtomic<Int64>
    private let sizes: UnsafeAtomic<Int64>

    /// Opens (or creates) the guard file at `path` and reads what the previous process left.
    /// A file of the wrong size or magic is started afresh.
    public init(path: String) throws(SystemCallError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemCallError(path: path, operation: "open", errno: errno) }
        defer { POSIX.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SystemCallError(path: path, operation: "fstat", errno: errno) }
        let fresh = Int(info.st_size) != Self.fileBytes
        if fresh, ftruncate(descriptor, off_t(Self.fileBytes)) != 0 {
            throw SystemCallError(path: path, operation: "ftruncate", errno: errno)
        }
        guard let mapping = mmap(nil, Self.fileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
            mapping != MAP_FAILED
        else { throw SystemCallError(path: path, operation: "mmap", errno: errno) }
        let words = mapping.bindMemory(to: Int64.self, capacity: Self.fileBytes / 8)
        if fresh || words[0] != Self.magic {
            for index in 0..<(Self.fileBytes / 8) { words[index] = 0 }
            words[0] = Self.magic
            words[1] = Int64(Self.idle)
        }
        let bootID = Self.bootID()
        let sameBoot = bootID.map { Self.storedBootID(words) == $0 } ?? true
        if let bootID { Self.storeBootID(bootID, in: words) }
        self.words = words
        position = UnsafeAtomic(at: UnsafeMutableRawPointer(words + 1).assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
        receivedAt = UnsafeAtomic(
            at: UnsafeMutableRawPointer(words + 2).assumingMemoryBound(to: UnsafeAtomic<Int64>.Storage.self))
        sizes = UnsafeAtomic(at: UnsafeMutableRawPointer(words + 3).assumingMemoryBound(to: UnsafeAtomic<Int64>.Storage.self))

        let diedAt = position.load(ordering: .relaxed)
        ignoredMarkFromAnotherBoot = diedAt != Self.idle && !sameBoot
        previousCrash =
            diedAt == Self.idle || !sameBoot
            ? nil : Crash(position: diedAt, receivedAtNanos: receivedAt.load(ordering: .relaxed))
        pending = previousCrash
        let count = min(max(0, Int(words[7])), Self.maxPoisons)
        for index in 0..<count {
            poisons.append((UInt64(bitPattern: words[8 + 2 * index]), words[9 + 2 * index]))
        }
        position.store(Self.idle, ordering: .relaxed)
    }

    deinit {
        munmap(words, Self.fileBytes)
    }

    /// Consumer thread. Marks `message` as the one in progress and says whether to ingest it.
    /// O(1) for an ordinary message; O(topic + payload) once for the record a process died in and
    /// for a message of exactly a poison record's sizes.
    @inline(__always)
    public func enter(_ message: RawMessage) -> Verdict {
        let messageSizes = Int64(message.topic.count) << 32 | Int64(message.payload.count)
        receivedAt.store(message.receivedAtNanos, ordering: .relaxed)
        sizes.store(messageSizes, ordering: .relaxed)
        position.store(message.position, ordering: .relaxed)
        if pending != nil || !poisons.isEmpty {
            return judge(message, sizes: messageSizes)
        }
        return .ingest
    }

    /// Consumer thread. The message entered last was handled without the process dying.
    @inline(__always)
    public func leave() {
        position.store(Self.idle, ordering: .relaxed)
        if replayingSuspect { clearSuspect() }
    }

    private func clearSuspect() {
        replayingSuspect = false
        (words[4], words[5], words[6]) = (0, 0, 0)
    }

    /// Consumer thread, at a clean stop: nothing is in progress.
    public func close() {
        leave()
        msync(words, Self.fileBytes, MS_ASYNC)
    }

    @inline(never)
    private func judge(_ message: RawMessage, sizes messageSizes: Int64) -> Verdict {
        if let crash = pending, crash.position == message.position, crash.receivedAtNanos == message.receivedAtNanos {
            pending = nil
            let fingerprint = Self.fingerprint(message)
            let deaths = fingerprint == UInt64(bitPattern: words[4]) && messageSizes == words[5] ? Int(words[6]) + 1 : 1
            words[4] = Int64(bitPattern: fingerprint)
            words[5] = messageSizes
            words[6] = Int64(deaths)
            guard deaths >= Self.deathsToPoison else {
                replayingSuspect = true
                return .ingest
            }
            remember(fingerprint: fingerprint, sizes: messageSizes)
            return .poison(deaths: deaths, position: message.position)
        }
        guard poisons.contains(where: { $0.sizes == messageSizes }) else { return .ingest }
        let fingerprint = Self.fingerprint(message)
        guard poisons.contains(where: { $0.sizes == messageSizes && $0.fingerprint == fingerprint }) else { return .ingest }
        return .poison(deaths: Self.deathsToPoison, position: nil)
    }

    private func remember(fingerprint: UInt64, sizes: Int64) {
        guard !poisons.contains(where: { $0.fingerprint == fingerprint && $0.sizes == sizes }) else { return }
        if poisons.count == Self.maxPoisons { poisons.removeFirst() }
        poisons.append((fingerprint, sizes))
        for (index, poison) in poisons.enumerated() {
            words[8 + 2 * index] = Int64(bitPattern: poison.fingerprint)
            words[9 + 2 * index] = poison.sizes
        }
        words[7] = Int64(poisons.count)
    }

    /// Where the boot id is kept: words 32… (40 bytes).
    static let bootIDWord = 32
    static let bootIDBytes = 36

    /// The Linux boot id, or `nil` where there is none (then every mark counts).
    static func bootID() -> [UInt8]? {
        let descriptor = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { POSIX.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: bootIDBytes)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, bootIDBytes) }
        return count == bootIDBytes ? bytes : nil
    }

    static func storedBootID(_ words: UnsafeMutablePointer<Int64>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: words + bootIDWord, count: bootIDBytes))
    }

    static func storeBootID(_ bootID: [UInt8], in words: UnsafeMutablePointer<Int64>) {
        let target = UnsafeMutableRawPointer(words + bootIDWord)
        for (offset, byte) in bootID.prefix(bootIDBytes).enumerated() {
            target.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        }
    }

    static func fingerprint(_ message: RawMessage) -> UInt64 {
        hasher.finish(hasher.absorb(message.payload, into: hasher.absorb(message.topic, into: hasher.seed)))
    }
}
