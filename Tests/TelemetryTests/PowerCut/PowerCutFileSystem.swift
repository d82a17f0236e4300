// A file system in memory that can lose power, modelled on SQLite's crash-test VFS
// (src/test6.c): it keeps what was synced, and of what was not, a seeded-random part.
// docs/crash-consistency.md ("Simulated power cuts") describes the model; in short:
//
// * file data: what `fsync` covered survives. Of the rest, each 512-byte sector is either as on
//   disk or as it was after one of the writes that touched it since (torn at sector size,
//   reordered, dropped), and the file's size is any size it had since its size was last durable;
// * the mapped ring: each 4 KiB page that differs from the disk either reached it or not,
//   independently, unless msync covered it (msync also makes the file's size durable);
// * names (create, rename, link, unlink, mkdir): durable after an fsync of their directory. Of
//   the operations since, a random prefix survives: journaling file systems (ext4, XFS) commit
//   metadata operations in order, so "the later rename survived, the earlier one not" is not
//   modelled; each directory is cut independently;
// * besides, before any operation the "kernel" may write back a random part of what is dirty
//   (1 in `writebackOdds`), so the disk can also hold a page or sector as it was at an earlier
//   moment, not only as synced or as at the cut.
//
// The process ends when the event counter reaches the event given to `interrupt`: every
// file-system call is an event, and the test driver adds one per message handed to the ring
// (`step()`), so a cut can fall between two records that make no system call. The call that
// meets it does not happen; it and every later call of the dead process fail with EIO. A power
// cut computes the disk's state at that instant, so what the dead process still stores into its
// mapping afterwards changes nothing. A process crash (`kill -9`) instead keeps the page cache:
// the next process sees everything, and what was not synced can still be lost by a later cut.

import Foundation
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `FileSystem` in memory whose power can be cut, leaving what a real disk might hold.
/// Thread-safe (one lock); paths are absolute.
final class PowerCutFileSystem: FileSystem, @unchecked Sendable {
    /// An open file or directory of the running "process".
    private struct OpenFile {
        let node: SimulatedNode
        let append: Bool
        var offset = 0
    }

    private let lock = NSLock()
    private var random: SplitMix64
    private var root: SimulatedNode
    private var nodes: [UInt64: SimulatedNode] = [:]
    private var nextInode: UInt64 = 2
    private var descriptors: [Int32: OpenFile] = [:]
    /// Never reused, so a dead process's descriptors can never name a new one's files.
    private var nextDescriptor: Int32 = 3
    private var mappings: [UInt: SimulatedNode] = [:]
    /// Mappings of processes that lost power: only freed (by their `unmap`), never synced.
    private var detachedMappings: Set<UInt> = []

    private var eventCount = 0
    private var interruptAt: Int?
    private var interruptionKind = Interruption.powerCut
    private var down = false
    private var lastKind: Interruption?
    private var cutCount = 0
    private var crashCount = 0
    /// A background writeback happens before 1 in this many events (0: never).
    let writebackOdds: Int

    /// An empty file system (only `/`). `seed` drives every random choice.
    init(seed: UInt64, writebackOdds: Int = 32) {
        random = SplitMix64(seed: seed)
        root = SimulatedNode.durable(id: 1, isDirectory: true)
        nodes[1] = root
        self.writebackOdds = writebackOdds
    }

    deinit {
        for address in mappings.keys { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
        for address in detachedMappings { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    // MARK: - Power

    /// How the running process ends at the chosen event.
    enum Interruption: Equatable {
        /// The machine loses power: the disk keeps what the model says, the page cache is gone.
        case powerCut
        /// The process dies (`kill -9`): the page cache keeps everything, nothing more is synced.
        case processCrash
    }

    /// Events so far: file-system calls and `step()`s.
    var events: Int { locked { eventCount } }
    /// True from the interruption until `restart()`: the process is dead, every call fails with EIO.
    var isDown: Bool { locked { down } }
    /// Power cuts so far.
    var cuts: Int { locked { cutCount } }
    /// Process crashes so far.
    var crashes: Int { locked { crashCount } }
    /// How the last process ended, nil before the first interruption.
    var lastInterruption: Interruption? { locked { lastKind } }

    /// Ends the running process with `kind` at event `event` (counted from the first event
    /// ever); nil for never.
    func interrupt(_ kind: Interruption, atEvent event: Int?) {
        locked {
            interruptionKind = kind
            interruptAt = event
        }
    }

    /// One event of the driver's own (a message handed to the ring): the process may end here.
    /// Returns false when it is (now) dead.
    @discardableResult
    func step() -> Bool {
        locked { beginEvent() }
    }

    /// Cuts the power now (if the process is alive).
    func cutPower() {
        locked { if !down { powerFails() } }
    }

    /// Starts again, for the next process: the disk as the cut left it (after a power cut) or
    /// the page cache as the dead process left it (after a crash), nothing open.
    func restart() {
        locked {
            down = false
            interruptAt = nil
        }
    }

    /// A copy of the disk as it is now, for a process of its own (no cut set): call while the
    /// power is off or no file is open.
    func copyOfDisk(seed: UInt64) -> PowerCutFileSystem {
        locked {
            let copy = PowerCutFileSystem(seed: seed, writebackOdds: writebackOdds)
            var memo: [UInt64: SimulatedNode] = [:]
            func duplicate(_ node: SimulatedNode) -> SimulatedNode {
                if let done = memo[node.id] { return done }
                let twin = SimulatedNode.durable(id: node.id, isDirectory: node.isDirectory, content: node.disk)
                memo[node.id] = twin
                for name in node.diskEntries.keys.sorted() {
                    guard let child = node.diskEntries[name] else { continue }
                    twin.diskEntries[name] = duplicate(child)
                }
                twin.entries = twin.diskEntries
                return twin
            }
            copy.root = duplicate(root)
            copy.nodes = memo
            copy.nextInode = nextInode
            return copy
        }
    }

    /// Counts an event; cuts the power when it is the chosen one. False when the power is off.
    private func beginEvent() -> Bool {
        guard !down else { return false }
        eventCount += 1
        if eventCount == interruptAt {
            if interruptionKind == .powerCut { powerFails() } else { processDies() }
            return false
        }
        if writebackOdds > 0 && random.next(below: writebackOdds) == 0 { writeBackSomething() }
        return true
    }

    /// The kernel writing back some dirty data and metadata of its own accord.
    private func writeBackSomething() {
        for id in nodes.keys.sorted() {
            guard let node = nodes[id], node.isDirty, random.next() & 1 == 0 else { continue }
            node.writeBackSome(&random)
        }
    }

    /// The process's descriptors, locks and mappings go; the page cache keeps what it stored.
    private func processDies() {
        down = true
        lastKind = .processCrash
        crashCount += 1
        for (address, node) in mappings {
            node.detachMapping()
            detachedMappings.insert(address)
        }
        mappings = [:]
        for file in descriptors.values { file.node.lockOwner = nil }
        descriptors = [:]
    }

    /// The disk keeps what the model says survives; the process's descriptors and mappings die.
    private func powerFails() {
        down = true
        lastKind = .powerCut
        cutCount += 1
        var memo: [UInt64: SimulatedNode] = [:]
        func survivor(_ node: SimulatedNode) -> SimulatedNode {
            if let done = memo[node.id] { return done }
            if !node.isDirectory {
                let file = SimulatedNode.durable(id: node.id, isDirectory: false, content: node.imageAfterPowerCut(&random))
                memo[node.id] = file
                return file
            }
            let directory = SimulatedNode.durable(id: node.id, isDirectory: true)
            memo[node.id] = directory
            let entries = node.entriesAfterPowerCut(&random)
            for name in entries.keys.sorted() {
                guard let child = entries[name] else { continue }
                directory.diskEntries[name] = survivor(child)
            }
            directory.entries = directory.diskEntries
            return directory
        }
        root = survivor(root)
        nodes = memo
        descriptors = [:]
        for address in mappings.keys { detachedMappings.insert(address) }
        mappings = [:]
    }

    // MARK: - FileSystem

    func open(_ path: String, flags: Int32, mode: mode_t) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            var node = lookup(path)
            if node == nil {
                guard flags & O_CREAT != 0 else { return fail(ENOENT) }
                guard let (parent, name) = parentAndName(path) else { return fail(ENOENT) }
                let created = newNode(isDirectory: false)
                parent.entries[name] = created
                parent.pendingChanges.append([(name, created)])
                node = created
            }
            guard let node else { return fail(ENOENT) }
            if flags & O_DIRECTORY != 0 && !node.isDirectory { return fail(ENOTDIR) }
            if node.isDirectory && flags & (O_WRONLY | O_RDWR) != 0 { return fail(EISDIR) }
            if flags & O_TRUNC != 0 && !node.isDirectory { node.truncate(to: 0) }
            let descriptor = nextDescriptor
            nextDescriptor += 1
            descriptors[descriptor] = OpenFile(node: node, append: flags & O_APPEND != 0)
            return descriptor
        }
    }

    func close(_ descriptor: Int32) -> Int32 {
        locked {
            guard let file = descriptors[descriptor] else { return fail(EBADF) }  // a dead process's: no event
            guard beginEvent() else { return fail(EIO) }
            if file.node.lockOwner == descriptor { file.node.lockOwner = nil }
            descriptors[descriptor] = nil
            return 0
        }
    }

    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        locked {
            guard beginEvent() else { return Int(fail(EIO)) }
            guard var file = descriptors[descriptor] else { return Int(fail(EBADF)) }
            guard !file.node.isDirectory else { return Int(fail(EISDIR)) }
            let offset = file.append ? file.node.size : file.offset
            file.node.write(bytes, at: offset)
            file.offset = offset + bytes.count
            descriptors[descriptor] = file
            return bytes.count
        }
    }

    func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        locked {
            guard beginEvent() else { return Int(fail(EIO)) }
            guard let file = descriptors[descriptor] else { return Int(fail(EBADF)) }
            guard !file.node.isDirectory else { return Int(fail(EISDIR)) }
            let content = file.node.read(at: Int(offset), count: buffer.count)
            content.withUnsafeBytes { source in
                guard let base = buffer.baseAddress, let from = source.baseAddress else { return }
                base.copyMemory(from: from, byteCount: source.count)
            }
            return content.count
        }
    }

    func fsync(_ descriptor: Int32) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let file = descriptors[descriptor] else { return fail(EBADF) }
            if file.node.isDirectory { file.node.syncDirectory() } else { file.node.syncFile() }
            return 0
        }
    }

    func ftruncate(_ descriptor: Int32, length: Int64) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let file = descriptors[descriptor], !file.node.isDirectory else { return fail(EBADF) }
            file.node.truncate(to: Int(length))
            return 0
        }
    }

    func fallocate(_ descriptor: Int32, offset: Int64, length: Int64) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let file = descriptors[descriptor], !file.node.isDirectory else { return fail(EBADF) }
            let end = Int(offset + length)
            if end > file.node.size { file.node.truncate(to: end) }
            return 0
        }
    }

    func flock(_ descriptor: Int32, _ operation: Int32) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let file = descriptors[descriptor] else { return fail(EBADF) }
            if operation & LOCK_UN != 0 {
                if file.node.lockOwner == descriptor { file.node.lockOwner = nil }
                return 0
            }
            if let owner = file.node.lockOwner, owner != descriptor { return fail(EWOULDBLOCK) }
            file.node.lockOwner = descriptor
            return 0
        }
    }

    func status(ofDescriptor descriptor: Int32) -> FileStatus? {
        locked {
            guard beginEvent() else { return failNil(EIO) }
            guard let file = descriptors[descriptor] else { return failNil(EBADF) }
            return status(of: file.node)
        }
    }

    func status(ofPath path: String) -> FileStatus? {
        locked {
            guard beginEvent() else { return failNil(EIO) }
            guard let node = lookup(path) else { return failNil(ENOENT) }
            return status(of: node)
        }
    }

    func mkdir(_ path: String, mode: mode_t) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            if lookup(path) != nil { return fail(EEXIST) }
            guard let (parent, name) = parentAndName(path) else { return fail(ENOENT) }
            let created = newNode(isDirectory: true)
            parent.entries[name] = created
            parent.pendingChanges.append([(name, created)])
            return 0
        }
    }

    func rename(_ source: String, to target: String) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let (sourceParent, sourceName) = parentAndName(source), let node = sourceParent.entries[sourceName],
                let (targetParent, targetName) = parentAndName(target)
            else { return fail(ENOENT) }
            if targetParent.entries[targetName]?.isDirectory == true { return fail(EISDIR) }
            if targetParent === sourceParent && targetName == sourceName { return 0 }
            targetParent.entries[targetName] = node
            sourceParent.entries[sourceName] = nil
            if targetParent === sourceParent {
                sourceParent.pendingChanges.append([(targetName, node), (sourceName, nil)])
            } else {
                // Not used by the gateway; each directory then keeps its half independently.
                targetParent.pendingChanges.append([(targetName, node)])
                sourceParent.pendingChanges.append([(sourceName, nil)])
            }
            return 0
        }
    }

    func link(_ source: String, to target: String) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let node = lookup(source) else { return fail(ENOENT) }
            guard !node.isDirectory else { return fail(EPERM) }
            guard let (parent, name) = parentAndName(target) else { return fail(ENOENT) }
            guard parent.entries[name] == nil else { return fail(EEXIST) }
            parent.entries[name] = node
            parent.pendingChanges.append([(name, node)])
            return 0
        }
    }

    func unlink(_ path: String) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let (parent, name) = parentAndName(path), let node = parent.entries[name] else { return fail(ENOENT) }
            guard !node.isDirectory else { return fail(EISDIR) }
            parent.entries[name] = nil
            parent.pendingChanges.append([(name, nil)])
            return 0
        }
    }

    func directoryEntries(atPath path: String) -> [String]? {
        locked {
            guard beginEvent() else { return failNil(EIO) }
            guard let node = lookup(path) else { return failNil(ENOENT) }
            guard node.isDirectory else { return failNil(ENOTDIR) }
            return node.entries.keys.sorted()
        }
    }

    func mapShared(_ descriptor: Int32, length: Int) -> UnsafeMutableRawPointer? {
        locked {
            guard beginEvent() else { return failNil(EIO) }
            guard let file = descriptors[descriptor], !file.node.isDirectory else { return failNil(EBADF) }
            precondition(file.node.mapping == nil && length <= file.node.size, "the simulator maps a file once, within its size")
            let memory = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: SimulatedNode.pageBytes)
            file.node.attachMapping(memory, length: length)
            mappings[UInt(bitPattern: memory)] = file.node
            return memory
        }
    }

    func unmap(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 {
        locked {
            let key = UInt(bitPattern: address)
            if detachedMappings.remove(key) != nil {
                address.deallocate()
                return 0
            }
            guard beginEvent() else { return fail(EIO) }
            guard let node = mappings.removeValue(forKey: key) else { return fail(EINVAL) }
            node.detachMapping()
            address.deallocate()
            return 0
        }
    }

    func syncMapped(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let (node, offset) = mapped(address) else { return fail(ENOMEM) }
            precondition(offset % SimulatedNode.pageBytes == 0, "msync of an address that is not page-aligned")
            node.syncMapped(offset: offset, length: length)
            return 0
        }
    }

    func releaseMappedPages(_ address: UnsafeMutableRawPointer, length: Int) -> Int32 {
        locked {
            guard beginEvent() else { return fail(EIO) }
            guard let (node, offset) = mapped(address) else { return fail(EINVAL) }
            precondition(
                offset % SimulatedNode.pageBytes == 0 && offset + length <= node.mappingLength,
                "madvise of a range that is not whole pages of the mapping")
            // MADV_DONTNEED on a shared file mapping keeps the data (page cache): nothing changes.
            return 0
        }
    }

    // MARK: - Reading the disk (checks)

    /// The content of the file at `path` as the process sees it, or nil. Not an event.
    func contents(of path: String) -> [UInt8]? {
        locked {
            guard let node = lookup(path), !node.isDirectory else { return nil }
            return node.read(at: 0, count: node.size)
        }
    }

    // MARK: - Helpers

    private func locked<Result>(_ body: () -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func newNode(isDirectory: Bool) -> SimulatedNode {
        let node = SimulatedNode(id: nextInode, isDirectory: isDirectory)
        nextInode += 1
        nodes[node.id] = node
        return node
    }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    private func lookup(_ path: String) -> SimulatedNode? {
        var node = root
        for component in components(path) {
            guard node.isDirectory, let child = node.entries[component] else { return nil }
            node = child
        }
        return node
    }

    private func parentAndName(_ path: String) -> (SimulatedNode, String)? {
        var parts = components(path)
        guard let name = parts.popLast(), let parent = lookup("/" + parts.joined(separator: "/")), parent.isDirectory else {
            return nil
        }
        return (parent, name)
    }

    private func mapped(_ address: UnsafeMutableRawPointer) -> (SimulatedNode, Int)? {
        let target = UInt(bitPattern: address)
        for (base, node) in mappings where target >= base && target < base + UInt(node.mappingLength) {
            return (node, Int(target - base))
        }
        return nil
    }

    private func status(of node: SimulatedNode) -> FileStatus {
        FileStatus(size: Int64(node.size), device: 1, inode: node.id, isDirectory: node.isDirectory)
    }

    private func fail(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }

    private func failNil<Value>(_ code: Int32) -> Value? {
        errno = code
        return nil
    }
}
