/* What hostsim's firmware-table writers (tables.c: ACPI; mptable.c: the
 * Intel MP table) share: little-endian stores into a table being built, and
 * the checksum byte both formats use (ACPI 6.5 5.2.5.3 and 5.2.6; MP
 * Specification 1.4, 4.1 and 4.2): the byte that makes the covered bytes
 * sum to zero modulo 256. hostsim runs on x86-64, little-endian like its
 * guests, so a copy of the value is the guest's byte order. */
#ifndef HOSTSIM_ACPI_BYTES_H
#define HOSTSIM_ACPI_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void hs_put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static inline void hs_put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static inline void hs_put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* The byte that makes p[0..n) sum to zero. */
static inline uint8_t hs_checksum8(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum += *p++;
    return (uint8_t)(0 - sum);
}

#endif
