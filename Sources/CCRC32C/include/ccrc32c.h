// CRC-32C (Castagnoli) for the gateway's write-ahead ring records and checkpoint files, with the
// SSE 4.2 / ARMv8 CRC instructions Swift cannot reach (ccrc32c.c explains why it is C).

#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The conventional CRC-32C (reflected polynomial 0x82F63B78, initial value and final xor
/// 0xFFFFFFFF; "123456789" gives 0xE3069283) of `count` bytes at `bytes`, continuing `crc`, the
/// CRC-32C of the bytes before them (0 to start), so a message can be checked in pieces.
/// `bytes` may be NULL when `count` is 0. Uses the CPU's CRC instruction when it has one.
uint32_t ccrc32c_update(uint32_t crc, const void *_Nullable bytes, size_t count);

/// The same result computed in software (slicing by 8) whatever the CPU: the fallback of
/// `ccrc32c_update`, exported so tests can check the hardware path against it.
uint32_t ccrc32c_update_portable(uint32_t crc, const void *_Nullable bytes, size_t count);

/// Which implementation `ccrc32c_update` uses on this CPU: "sse4.2", "armv8-crc" or "portable"
/// (tests assert the hardware path is taken where the CPU has it).
const char *_Nonnull ccrc32c_implementation(void);

#ifdef __cplusplus
}
#endif

#endif
