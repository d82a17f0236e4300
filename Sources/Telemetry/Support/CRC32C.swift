// A thin wrapper: the checksum itself is C (Sources/CCRC32C/ccrc32c.c says why), because Swift
// cannot reach the CPU's CRC-32C instructions.

internal import CCRC32C

/// CRC-32C (Castagnoli, as iSCSI, ext4 and SCTP use it) to detect damaged checkpoint files and
/// torn write-ahead ring records; computed by the CPU's CRC instruction where it has one.
public enum CRC32C {
    /// The checksum of `bytes`; `checksum(Array("123456789".utf8)) == 0xE306_9283`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The checksum of `bytes`, continuing from the checksum `previous` of the bytes before
    /// them (0 to start): `checksum(b, continuing: checksum(a))` is the checksum of a + b.
    /// O(bytes), no allocation.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        ccrc32c_update(previous, bytes.baseAddress, bytes.count)
    }
}
