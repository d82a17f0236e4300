// Why hand-written: no package on the mirror offers a CRC without pulling in far more (NIO's
// extras, a compression library). Two users: checkpoint files (megabytes every few seconds) and
// every record of the write-ahead ring (on the MQTT thread, before the PUBACK), so it uses
// "slicing by 8" (Intel's method, as in zlib and the Linux kernel): eight 256-entry tables let
// each step fold 8 input bytes with 8 independent lookups instead of 8 dependent ones, about
// 4× faster than the byte-at-a-time loop.

/// CRC-32 (IEEE 802.3, reflected, the one zlib uses) to detect damaged checkpoint files and
/// torn write-ahead ring records.
public enum CRC32 {
    /// `tables[k * 256 + i]`: the CRC of byte `i` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `bytes`; `checksum(Array("123456789".utf8)) == 0xCBF43926`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The checksum of `bytes`, continuing from the checksum `previous` of the bytes before
    /// them (0 to start): `checksum(b, continuing: checksum(a))` is the checksum of a + b.
    /// O(bytes), no allocation.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        tables.withUnsafeBufferPointer { table in
            var crc = ~previous
            var next = 0
            let count = bytes.count
            while count - next >= 8 {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: next, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                next += 8
            }
            while next < count {
                crc = table[Int((crc ^ UInt32(bytes[next])) & 0xFF)] ^ (crc >> 8)
                next += 1
            }
            return ~crc
        }
    }
}
