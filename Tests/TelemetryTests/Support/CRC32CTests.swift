import CCRC32C
import Foundation
import Telemetry
import Testing

@Suite("CRC-32C")
struct CRC32CTests {
    /// The textbook bit-at-a-time CRC-32C, continuing `previous` like `CRC32C.checksum`.
    private func bitwise(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0x82F6_3B78 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { bitwise($0) }
    }

    private func portable(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        ccrc32c_update_portable(previous, bytes.baseAddress, bytes.count)
    }

    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// The check value of the CRC catalogue and the 32-byte examples of RFC 3720 (iSCSI) B.4.
    @Test func matchesTheStandardVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum(UnsafeRawBufferPointer(start: nil, count: 0), continuing: 0x1234_5678) == 0x1234_5678)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0..<32)) == 0x46DD_794E)
        #expect(CRC32C.checksum(Array((0..<32).reversed())) == 0x113F_DB5C)
        #expect(bitwise(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// Every length 0…64 at every offset from an 8-byte boundary, for the dispatched and the
    /// portable path: every tail (4, 2, 1 bytes) and every unaligned 8-byte load.
    @Test func shortInputsAtEveryAlignmentEqualTheBitwiseDefinition() {
        let data = randomBytes(64 + 8, seed: 1)
        var wrong: [String] = []
        data.withUnsafeBytes { raw in
            for offset in 0..<8 {
                for length in 0...64 {
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])
                    let expected = bitwise(bytes)
                    if CRC32C.checksum(bytes) != expected || portable(bytes) != expected {
                        wrong.append("offset \(offset) length \(length)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty)
    }

    /// Lengths around multiples of 384 bytes, where the SSE 4.2 path starts and stops
    /// interleaving three 128-byte streams, up to a long input that takes many rounds.
    @Test func longInputsEqualTheBitwiseDefinition() {
        let data = randomBytes(70_000 + 3, seed: 2)
        var lengths = [65_536, 69_999]
        for rounds in 1...6 {
            lengths += [384 * rounds - 1, 384 * rounds, 384 * rounds + 1, 384 * rounds + 7, 384 * rounds + 255]
        }
        var wrong: [String] = []
        data.withUnsafeBytes { raw in
            for length in lengths {
                for offset in [0, 3] {
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])
                    let expected = bitwise(bytes, continuing: 0xDEAD_BEEF)
                    if CRC32C.checksum(bytes, continuing: 0xDEAD_BEEF) != expected
                        || portable(bytes, continuing: 0xDEAD_BEEF) != expected
                    {
                        wrong.append("offset \(offset) length \(length)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty)
    }

    /// checksum(b, continuing: checksum(a)) == checksum(a + b) for every split of 1,200 bytes
    /// (both pieces cross the interleaving threshold for some splits).
    @Test func composesAtEverySplit() {
        let data = randomBytes(1_200, seed: 3)
        let whole = CRC32C.checksum(data)
        var wrongSplits: [Int] = []
        data.withUnsafeBytes { raw in
            for split in 0...raw.count {
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<split]))
                if CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[split...]), continuing: first) != whole {
                    wrongSplits.append(split)
                }
            }
        }
        #expect(wrongSplits.isEmpty)
        #expect(whole == bitwise(data))
    }

    /// The dispatched (hardware) path against the portable one on random lengths, offsets and
    /// starting values, and on 1 MiB.
    @Test func dispatchedPathEqualsThePortablePath() {
        let data = randomBytes((1 << 20) + 16, seed: 4)
        var generator = SplitMix64(seed: 5)
        var wrong: [String] = []
        data.withUnsafeBytes { raw in
            for _ in 0..<2_000 {
                let offset = generator.next(below: 16)
                let length = generator.next(below: 20_000)
                let previous = UInt32(truncatingIfNeeded: generator.next())
                let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])
                if CRC32C.checksum(bytes, continuing: previous) != portable(bytes, continuing: previous) {
                    wrong.append("offset \(offset) length \(length) from \(previous)")
                }
            }
            let mebibyte = UnsafeRawBufferPointer(rebasing: raw[5..<5 + (1 << 20)])
            if CRC32C.checksum(mebibyte) != portable(mebibyte) { wrong.append("1 MiB") }
        }
        #expect(wrong.isEmpty)
    }

    /// Where the CPU has a CRC-32C instruction the dispatcher must pick it: otherwise the
    /// comparison above would compare the portable path with itself.
    @Test func usesTheCPUInstructionWhereThereIsOne() throws {
        let implementation = String(cString: ccrc32c_implementation())
        #if arch(x86_64) && os(Linux)
            let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
            #expect(implementation == (flags.split(separator: " ").contains("sse4_2") ? "sse4.2" : "portable"))
        #elseif arch(arm64) && os(macOS)
            #expect(implementation == "armv8-crc")
        #else
            #expect(["sse4.2", "armv8-crc", "portable"].contains(implementation))
        #endif
    }
}
