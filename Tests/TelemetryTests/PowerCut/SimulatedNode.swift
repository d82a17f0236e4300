#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file or directory of `PowerCutFileSystem`: what the running process sees (the page
/// cache) and what the disk holds, with everything that may or may not have reached the disk
/// in between.
///
/// Files: `bytes` is the page cache's content (for a mapped file, `mapping` holds the mapped
/// range instead). `disk` is what the disk blocks hold and `diskSize` the size on disk. Not yet
/// durable: every size the file had since its size was last durable (`sizeHistory`), and, per
/// 512-byte sector, its content after each operation that changed it (`sectorVersions`).
///
/// Directories: `entries` is what the process sees, `diskEntries` what is on disk, and
/// `pendingChanges` the operations since the last directory fsync, in order; each operation is
/// a list of name changes applied together (a rename is one: it is atomic).
final class SimulatedNode {
    /// One change of a directory entry: `name` now names `node`, or nothing when nil.
    typealias EntryChange = (name: String, node: SimulatedNode?)

    static let sectorBytes = 512
    static let pageBytes = 4096

    /// The inode number; a node that survives a power cut keeps it.
    let id: UInt64
    let isDirectory: Bool

    var bytes: [UInt8] = []
    var disk: [UInt8] = []
    var diskSize = 0
    var sizeHistory: [Int] = []
    var sectorVersions: [Int: [[UInt8]]] = [:]
    /// Memory standing for a `MAP_SHARED` mapping of the first `mappingLength` bytes.
    var mapping: UnsafeMutableRawPointer?
    var mappingLength = 0
    /// Pages dirtied through a mapping that is gone (its process died or unmapped it): their
    /// content in the page cache, which may or may not reach the disk, page by page.
    var pageVersions: [Int: [UInt8]] = [:]
    /// The descriptor holding the `flock`, if any.
    var lockOwner: Int32?

    var entries: [String: SimulatedNode] = [:]
    var diskEntries: [String: SimulatedNode] = [:]
    var pendingChanges: [[EntryChange]] = []

    init(id: UInt64, isDirectory: Bool) {
        self.id = id
        self.isDirectory = isDirectory
    }

    // MARK: - Files as the process sees them

    /// The file's size as the process sees it.
    var size: Int { bytes.count }

    /// Up to `count` bytes at `offset` as the process sees them (the mapping where mapped);
    /// with `padded`, exactly `count`, zero beyond the end of the file.
    func read(at offset: Int, count: Int, padded: Bool = false) -> [UInt8] {
        let available = max(0, min(size, offset + count) - offset)
        var result = ByteArrays.slice(of: bytes, at: offset, count: available, paddedTo: padded ? count : available)
        if let mapping, offset < mappingLength {
            let mappedEnd = min(offset + available, mappingLength)
            result.withUnsafeMutableBytes { target in
                guard let base = target.baseAddress else { return }
                base.copyMemory(from: mapping + offset, byteCount: mappedEnd - offset)
            }
        }
        return result
    }

    /// Writes `data` at `offset`, extending the file as needed.
    func write(_ data: UnsafeRawBufferPointer, at offset: Int) {
        precondition(mapping == nil, "the simulator does not model write(2) to a mapped file")
        let end = offset + data.count
        if end > size { resize(to: end) }
        bytes.withUnsafeMutableBytes { target in
            guard let base = target.baseAddress, let source = data.baseAddress else { return }
            (base + offset).copyMemory(from: source, byteCount: data.count)
        }
        recordVersions(from: offset, to: end)
    }

    /// `ftruncate`: the new size; bytes beyond it are gone, bytes added are zero.
    func truncate(to length: Int) {
        precondition(mapping == nil || length == size, "the simulator does not model resizing a mapped file")
        guard length != size else { return }
        let old = size
        resize(to: length)
        if length < old { recordVersions(from: length, to: old) }
    }

    private func resize(to length: Int) {
        bytes = ByteArrays.slice(of: bytes, at: 0, count: min(length, bytes.count), paddedTo: length)
        sizeHistory.append(length)
    }

    /// Remembers the content of every sector in `from..<to` as one more version that may reach the disk.
    private func recordVersions(from start: Int, to end: Int) {
        guard end > start else { return }
        for sector in (start / Self.sectorBytes)...((end - 1) / Self.sectorBytes) {
            sectorVersions[sector, default: []].append(currentSector(sector))
        }
    }

    /// The process's view of one sector, zero beyond the end of the file.
    private func currentSector(_ sector: Int) -> [UInt8] {
        read(at: sector * Self.sectorBytes, count: Self.sectorBytes, padded: true)
    }

    // MARK: - Durability

    /// True when something of the file or directory has not reached the disk.
    var isDirty: Bool {
        if isDirectory { return !pendingChanges.isEmpty }
        return !sizeHistory.isEmpty || !sectorVersions.isEmpty || !pageVersions.isEmpty
            || (0..<pageCount).contains { pageIsDirty($0) }
    }

    /// `fsync` of a file: all of it on disk.
    func syncFile() {
        disk = read(at: 0, count: size)
        diskSize = size
        sizeHistory = []
        sectorVersions = [:]
        pageVersions = [:]
    }

    /// Maps the file's first `length` bytes into `memory` (which the caller owns).
    func attachMapping(_ memory: UnsafeMutableRawPointer, length: Int) {
        bytes.withUnsafeBytes { content in
            if let base = content.baseAddress { memory.copyMemory(from: base, byteCount: length) }
        }
        mapping = memory
        mappingLength = length
        // Dirty pages of an earlier mapping are in the memory now, and found dirty by comparison.
        pageVersions = [:]
    }

    /// Ends the mapping (unmapped, or its process died): the page cache keeps its bytes, and
    /// each page that differs from the disk stays a page that may or may not reach it.
    func detachMapping() {
        guard let mapping else { return }
        for page in 0..<pageCount where pageIsDirty(page) { pageVersions[page] = mappedPage(page) }
        bytes.withUnsafeMutableBytes { content in
            content.baseAddress?.copyMemory(from: mapping, byteCount: mappingLength)
        }
        self.mapping = nil
        mappingLength = 0
    }

    /// `fsync` of a directory: every entry change on disk.
    func syncDirectory() {
        applyPending(count: pendingChanges.count)
    }

    /// `msync` of `offset..<offset + length` of the mapping: the whole pages holding it (the
    /// kernel writes pages) and the file's size on disk (msync is a ranged fdatasync on Linux).
    func syncMapped(offset requestedOffset: Int, length: Int) {
        guard let mapping else { return }
        let offset = requestedOffset - requestedOffset % Self.pageBytes
        let end = min((requestedOffset + length + Self.pageBytes - 1) / Self.pageBytes * Self.pageBytes, mappingLength)
        guard end > offset else { return }
        if disk.count < end { disk = ByteArrays.slice(of: disk, at: 0, count: disk.count, paddedTo: end) }
        disk.withUnsafeMutableBytes { target in
            guard let base = target.baseAddress else { return }
            (base + offset).copyMemory(from: mapping + offset, byteCount: end - offset)
        }
        diskSize = size
        sizeHistory = []
        for sector in (offset / Self.sectorBytes)..<((end + Self.sectorBytes - 1) / Self.sectorBytes) {
            sectorVersions[sector] = nil
        }
    }

    /// Which pages of the mapping differ from the disk (the last one may be partial: a mapping
    /// ends with the file, which need not end on a page boundary).
    func dirtyPages() -> [Bool] {
        (0..<pageCount).map { pageIsDirty($0) }
    }

    /// Pages of the mapping (0 when not mapped).
    var pageCount: Int { mapping == nil ? 0 : (mappingLength + Self.pageBytes - 1) / Self.pageBytes }

    /// Whether page `page` of the mapping differs from the disk.
    func pageIsDirty(_ page: Int) -> Bool {
        guard let mapping else { return false }
        let range = pageRange(page)
        return disk.withUnsafeBytes { onDisk in
            let covered = max(0, min(range.upperBound, onDisk.count) - range.lowerBound)
            if covered > 0, let base = onDisk.baseAddress,
                memcmp(base + range.lowerBound, mapping + range.lowerBound, covered) != 0
            {
                return true
            }
            let rest = range.count - covered
            return rest > 0
                && Self.zeroPage.withUnsafeBytes { zeros in
                    guard let base = zeros.baseAddress else { return false }
                    return memcmp(base, mapping + range.lowerBound + covered, rest) != 0
                }
        }
    }

    private static let zeroPage = [UInt8](repeating: 0, count: pageBytes)

    /// The bytes of the mapping in page `page`.
    func pageRange(_ page: Int) -> Range<Int> {
        (page * Self.pageBytes)..<min(mappingLength, (page + 1) * Self.pageBytes)
    }

    /// The mapping's bytes in page `page`.
    func mappedPage(_ page: Int) -> [UInt8] {
        guard let mapping else { return [] }
        let range = pageRange(page)
        return Array(UnsafeRawBufferPointer(start: mapping + range.lowerBound, count: range.count))
    }

    /// `count` bytes of the disk blocks from `start`, zero beyond what was ever written.
    private func diskRange(_ start: Int, _ count: Int) -> [UInt8] {
        ByteArrays.slice(of: disk, at: start, count: max(0, min(disk.count, start + count) - start), paddedTo: count)
    }

    /// The kernel writing back some of what is dirty on its own (no fsync asked for it): a random
    /// subset of the dirty sectors and mapped pages, perhaps the size; for a directory, a random
    /// prefix of its pending entry changes (a journal commit).
    func writeBackSome(_ random: inout SplitMix64) {
        if isDirectory {
            applyPending(count: random.next(below: pendingChanges.count + 1))
            return
        }
        for sector in sectorVersions.keys.sorted() where random.next() & 1 == 0 {
            store(currentSector(sector), onDiskAt: sector * Self.sectorBytes)
            sectorVersions[sector] = nil
        }
        for (page, dirty) in dirtyPages().enumerated() where dirty && random.next() & 1 == 0 {
            store(mappedPage(page), onDiskAt: page * Self.pageBytes)
        }
        for page in pageVersions.keys.sorted() where random.next() & 1 == 0 {
            if let content = pageVersions.removeValue(forKey: page) { store(content, onDiskAt: page * Self.pageBytes) }
        }
        if !sizeHistory.isEmpty && random.next() & 1 == 0 {
            diskSize = size
            sizeHistory = []
        }
    }

    private func store(_ content: [UInt8], onDiskAt offset: Int) {
        let end = offset + content.count
        if disk.count < end { disk = ByteArrays.slice(of: disk, at: 0, count: disk.count, paddedTo: end) }
        ByteArrays.copy(content, into: &disk, at: offset, count: content.count)
    }

    private func applyPending(count: Int) {
        for changes in pendingChanges.prefix(count) {
            for change in changes { diskEntries[change.name] = change.node }
        }
        pendingChanges.removeFirst(count)
    }

    // MARK: - After a power cut

    /// What a power cut leaves of this file: a size it had since it was last durable (or the
    /// durable one); the disk's blocks; each dirty sector either as on disk or as one of its
    /// versions; each dirty mapped page either as on disk or as in memory.
    func imageAfterPowerCut(_ random: inout SplitMix64) -> [UInt8] {
        let sizes = [diskSize] + sizeHistory
        let imageSize = sizes[random.next(below: sizes.count)]
        var image = diskRange(0, imageSize)
        func overlay(_ content: [UInt8], at offset: Int) {
            guard offset < imageSize else { return }
            ByteArrays.copy(content, into: &image, at: offset, count: min(content.count, imageSize - offset))
        }
        for sector in sectorVersions.keys.sorted() {
            guard random.next() & 1 == 0, let versions = sectorVersions[sector] else { continue }
            overlay(versions[random.next(below: versions.count)], at: sector * Self.sectorBytes)
        }
        for (page, dirty) in dirtyPages().enumerated() where dirty && random.next() & 1 == 0 {
            overlay(mappedPage(page), at: page * Self.pageBytes)
        }
        for page in pageVersions.keys.sorted() where random.next() & 1 == 0 {
            if let content = pageVersions[page] { overlay(content, at: page * Self.pageBytes) }
        }
        return image
    }

    /// What a power cut leaves of this directory: the entries on disk and a random prefix of
    /// the pending changes (the journal commits metadata operations in order).
    func entriesAfterPowerCut(_ random: inout SplitMix64) -> [String: SimulatedNode] {
        var result = diskEntries
        for changes in pendingChanges.prefix(random.next(below: pendingChanges.count + 1)) {
            for change in changes { result[change.name] = change.node }
        }
        return result
    }

    /// A node holding `content` (files) entirely on disk, as after a restart.
    static func durable(id: UInt64, isDirectory: Bool, content: [UInt8] = []) -> SimulatedNode {
        let node = SimulatedNode(id: id, isDirectory: isDirectory)
        node.bytes = content
        node.disk = content
        node.diskSize = content.count
        return node
    }
}
