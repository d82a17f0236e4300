// CRC-32C with the CPU's CRC instruction, for the write-ahead ring (every MQTT message, on the
// network thread, before the PUBACK) and checkpoint files (tens of MB every few seconds).
//
// Why C: Swift cannot reach the SSE 4.2 `crc32` or the ARMv8 `crc32c*` instructions (no
// intrinsics, no inline assembly). Why hand-written: none of the gateway's dependencies offers
// CRC-32C, Debian 12 packages one only for Python (python3-crc32c), and a checksum needs no
// more than this file. The instruction is four to ten times faster per byte than the software
// CRC-32 in Swift it replaced, which had been most of the file-backed ring's cost per record
// on the MQTT thread (figures in Benchmarks/README.md: ChecksumBenchmarks, RingBenchmarks).
//
// Layout: a portable slicing-by-8 fallback (any CPU), an x86-64 SSE 4.2 path
// with three interleaved streams, an AArch64 path, and a dispatcher that picks one before main.

#include "ccrc32c.h"

#include <string.h>

/// The Castagnoli polynomial, bit-reflected (x^0 in bit 31), as the instructions use it.
#define POLYNOMIAL 0x82F63B78u

// MARK: - Portable: slicing by 8

/// `slicing[k][i]`: the CRC register after byte `i` followed by `k` zero bytes. Eight tables
/// let one step fold 8 input bytes with 8 independent lookups (Intel's slicing-by-8, as in zlib
/// and Linux), about 4x the byte-at-a-time loop. Filled by `choose_implementation`.
static uint32_t slicing[8][256];

static void fill_slicing_tables(void) {
    for (uint32_t index = 0; index < 256; index++) {
        uint32_t value = index;
        for (int bit = 0; bit < 8; bit++) value = (value & 1) ? (value >> 1) ^ POLYNOMIAL : value >> 1;
        slicing[0][index] = value;
    }
    for (int slice = 1; slice < 8; slice++) {
        for (int index = 0; index < 256; index++) {
            uint32_t previous = slicing[slice - 1][index];
            slicing[slice][index] = (previous >> 8) ^ slicing[0][previous & 0xFF];
        }
    }
}

/// 8 bytes as a little-endian integer, from any address: memcpy compiles to one load, and the
/// swap keeps the slicing formulas right on a big-endian CPU.
static inline uint64_t load_little_endian_64(const unsigned char *bytes) {
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

uint32_t ccrc32c_update_portable(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *next = bytes;
    uint32_t value = ~crc;
    for (; count >= 8; count -= 8, next += 8) {
        uint64_t word = load_little_endian_64(next);
        uint32_t low = (uint32_t)word ^ value;
        uint32_t high = (uint32_t)(word >> 32);
        value = slicing[7][low & 0xFF] ^ slicing[6][(low >> 8) & 0xFF] ^ slicing[5][(low >> 16) & 0xFF]
            ^ slicing[4][low >> 24] ^ slicing[3][high & 0xFF] ^ slicing[2][(high >> 8) & 0xFF]
            ^ slicing[1][(high >> 16) & 0xFF] ^ slicing[0][high >> 24];
    }
    for (; count > 0; count--, next++) value = slicing[0][(value ^ *next) & 0xFF] ^ (value >> 8);
    return ~value;
}

// MARK: - x86-64: SSE 4.2

#if defined(__x86_64__)
#include <nmmintrin.h>

// One `crc32` instruction folds 8 bytes but has a 3-cycle latency and a throughput of one per
// cycle, so a single chain of them uses a third of the unit. Three independent streams over
// three adjacent blocks run in parallel; the block CRCs are then joined by "shifting" the
// first over the length of the next (multiplying by x^(8 * STREAM_BYTES) mod P, four table
// lookups) and xoring (CRC is linear): about twice as fast as one chain from a few hundred
// bytes up. Inputs under 3 * STREAM_BYTES (most telemetry records) take the single chain only.

/// Bytes of each stream per round. 128 rather than 256 (Mark Adler's crc32c.c) so inputs of
/// 384–767 bytes interleave too (twice as fast there), for a few percent at 1 KiB and up. A
/// single size keeps a single shift table.
#define STREAM_BYTES 128

/// `shift[k][i]`: byte `i` in byte `k` of a CRC register, times x^(8 * STREAM_BYTES) mod P:
/// the register after STREAM_BYTES more zero bytes, one lookup per register byte.
static uint32_t shift[4][256];

/// a * b mod P for bit-reflected polynomials (x^0 in bit 31).
static uint32_t multiply_modulo(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (int bit = 0; bit < 32; bit++, a <<= 1) {
        if (a & 0x80000000u) product ^= b;
        b = (b & 1) ? (b >> 1) ^ POLYNOMIAL : b >> 1;  // b *= x
    }
    return product;
}

static void fill_shift_table(void) {
    uint32_t power = 0x80000000u;  // x^0
    for (int byte = 0; byte < STREAM_BYTES; byte++) power = multiply_modulo(power, 0x00800000u);  // *= x^8
    for (int position = 0; position < 4; position++) {
        for (uint32_t index = 0; index < 256; index++) {
            shift[position][index] = multiply_modulo(power, index << (8 * position));
        }
    }
}

static inline uint32_t shifted(uint32_t value) {
    return shift[0][value & 0xFF] ^ shift[1][(value >> 8) & 0xFF] ^ shift[2][(value >> 16) & 0xFF]
        ^ shift[3][value >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t update_sse42(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *next = bytes;
    uint64_t crc0 = ~crc;  // _mm_crc32_u64 keeps the 32-bit register in a 64-bit one
    while (count >= 3 * STREAM_BYTES) {
        uint64_t crc1 = 0;
        uint64_t crc2 = 0;
        for (size_t offset = 0; offset < STREAM_BYTES; offset += 8) {
            crc0 = _mm_crc32_u64(crc0, load_little_endian_64(next + offset));
            crc1 = _mm_crc32_u64(crc1, load_little_endian_64(next + STREAM_BYTES + offset));
            crc2 = _mm_crc32_u64(crc2, load_little_endian_64(next + 2 * STREAM_BYTES + offset));
        }
        crc0 = shifted((uint32_t)crc0) ^ crc1;
        crc0 = shifted((uint32_t)crc0) ^ crc2;
        next += 3 * STREAM_BYTES;
        count -= 3 * STREAM_BYTES;
    }
    for (; count >= 8; count -= 8, next += 8) crc0 = _mm_crc32_u64(crc0, load_little_endian_64(next));
    // The last 0–7 bytes in at most three steps rather than seven dependent byte steps (a
    // ring record's 28-byte header ends with 4).
    uint32_t value = (uint32_t)crc0;
    if (count & 4) {
        uint32_t word;
        memcpy(&word, next, sizeof word);
        value = _mm_crc32_u32(value, word);
        next += 4;
    }
    if (count & 2) {
        uint16_t half;
        memcpy(&half, next, sizeof half);
        value = _mm_crc32_u16(value, half);
        next += 2;
    }
    if (count & 1) value = _mm_crc32_u8(value, *next);
    return ~value;
}

// MARK: - AArch64: the ARMv8 CRC32 extension

#elif defined(__aarch64__)
#include <arm_acle.h>

// One chain of crc32c instructions, without the x86 interleaving: with no ARM machine here this
// path was only checked for correctness (under qemu-aarch64), never measured.
// CRC32 is mandatory from ARMv8.1 and on every Apple CPU, where the compiler defines
// __ARM_FEATURE_CRC32; for plain ARMv8.0 builds the function is compiled for it anyway
// (target "crc") and used only when Linux reports the feature.
#if defined(__ARM_FEATURE_CRC32)
#define CRC_TARGET
static int cpu_has_crc32(void) { return 1; }
#elif defined(__linux__)
#include <sys/auxv.h>
#define CRC_TARGET __attribute__((target("crc")))
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)  // arch/arm64/include/uapi/asm/hwcap.h
#endif
static int cpu_has_crc32(void) { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#endif

#ifdef CRC_TARGET
CRC_TARGET
static uint32_t update_armv8(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *next = bytes;
    uint32_t value = ~crc;
    for (; count >= 8; count -= 8, next += 8) value = __crc32cd(value, load_little_endian_64(next));
    if (count & 4) {
        uint32_t word;
        memcpy(&word, next, sizeof word);
        value = __crc32cw(value, word);
        next += 4;
    }
    if (count & 2) {
        uint16_t half;
        memcpy(&half, next, sizeof half);
        value = __crc32ch(value, half);
        next += 2;
    }
    if (count & 1) value = __crc32cb(value, *next);
    return ~value;
}
#endif
#endif

// MARK: - Dispatch

typedef uint32_t (*update_function)(uint32_t crc, const void *bytes, size_t count);

/// Set once by `choose_implementation` before main, read-only afterwards (so no data race),
/// instead of testing the CPU on every call.
static update_function chosen_update;
static const char *chosen_name;

/// Fills the tables and picks the fastest implementation this CPU runs. A constructor rather
/// than lazy initialisation: no check or atomic on the per-message path.
__attribute__((constructor))
static void choose_implementation(void) {
    fill_slicing_tables();
    chosen_update = ccrc32c_update_portable;
    chosen_name = "portable";
#if defined(__x86_64__)
    fill_shift_table();
    __builtin_cpu_init();  // needed in a constructor: it may run before the runtime's own
    if (__builtin_cpu_supports("sse4.2")) {
        chosen_update = update_sse42;
        chosen_name = "sse4.2";
    }
#elif defined(__aarch64__) && defined(CRC_TARGET)
    if (cpu_has_crc32()) {
        chosen_update = update_armv8;
        chosen_name = "armv8-crc";
    }
#endif
}

uint32_t ccrc32c_update(uint32_t crc, const void *bytes, size_t count) {
    return chosen_update(crc, bytes, count);
}

const char *ccrc32c_implementation(void) {
    return chosen_name;
}
