/* Reading and writing little-endian fields at any alignment in loader,
 * firmware, device and message memory. __builtin_memcpy stays inline even in the freestanding
 * kernel, so each read is a single load on x86. */
#ifndef CORE_UNALIGNED_H
#define CORE_UNALIGNED_H

#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void wr16(uint8_t *p, uint16_t v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

static inline void wr64(uint8_t *p, uint64_t v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

#endif
