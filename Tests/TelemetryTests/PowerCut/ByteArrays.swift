/// Byte-array helpers built on memcpy: the simulator copies pages and sectors all the time, and
/// the generic element-wise paths cost too much in a debug build.
enum ByteArrays {
    /// `count` bytes of `source` from `offset`, followed by zeros up to `paddedTo` bytes.
    static func slice(of source: [UInt8], at offset: Int, count: Int, paddedTo total: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: total) { target, initialized in
            guard let base = target.baseAddress else {
                initialized = 0
                return
            }
            if count > 0 {
                source.withUnsafeBytes { bytes in
                    guard let from = bytes.baseAddress else { return }
                    base.update(from: from.assumingMemoryBound(to: UInt8.self) + offset, count: count)
                }
            }
            if total > count { (base + count).initialize(repeating: 0, count: total - count) }
            initialized = total
        }
    }

    /// Copies the first `count` bytes of `source` into `target` at `offset` (which must hold them).
    static func copy(_ source: [UInt8], into target: inout [UInt8], at offset: Int, count: Int) {
        guard count > 0 else { return }
        target.withUnsafeMutableBytes { destination in
            source.withUnsafeBytes { bytes in
                guard let to = destination.baseAddress, let from = bytes.baseAddress else { return }
                (to + offset).copyMemory(from: from, byteCount: count)
            }
        }
    }
}
