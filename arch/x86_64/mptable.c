/* MP floating pointer and configuration table header (MultiProcessor
 * Specification 1.4, 4.1 "MP Floating Pointer Structure": "_MP_", physical
 * address pointer at 4, length in 16-byte units at 8, checksum over the
 * structure; 4.2 "MP Configuration Table Header": "PCMP", base table length
 * at 4, checksum over the base table, OEM ID at 8, 8 bytes). */
#include "arch/x86_64/mptable.h"

#include <stdbool.h>
#include <string.h>

#include "core/unaligned.h"

#define MPF_SIZE 16
#define MPC_HEADER_SIZE 44
#define DEFAULT_BASE_MEM_END 0xA0000ull /* 640 KiB */
#define BIOS_ROM_START 0xF0000ull
#define BIOS_ROM_END 0x100000ull

static bool sums_to_zero(const uint8_t *p, uint64_t n)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

/* The OEM ID of the configuration table the floating pointer at addr names. */
static int table_at(const struct phys_window *w, uint64_t addr, char oem[9])
{
    const uint8_t *mpf = phys_ptr(w, addr, MPF_SIZE);
    if (mpf == NULL || memcmp(mpf, "_MP_", 4) != 0)
        return -1;
    uint64_t len = (uint64_t)mpf[8] * 16;
    const uint8_t *whole = phys_ptr(w, addr, len);
    if (len < MPF_SIZE || whole == NULL || !sums_to_zero(whole, len))
        return -1;
    uint64_t table = rd32(mpf + 4);
    const uint8_t *mpc = phys_ptr(w, table, MPC_HEADER_SIZE);
    if (table == 0 || mpc == NULL || memcmp(mpc, "PCMP", 4) != 0)
        return -1;
    uint64_t base_len = rd16(mpc + 4);
    const uint8_t *body = phys_ptr(w, table, base_len);
    if (base_len < MPC_HEADER_SIZE || body == NULL || !sums_to_zero(body, base_len))
        return -1;
    memcpy(oem, mpc + 8, 8);
    oem[8] = '\0';
    return 0;
}

static int scan(const struct phys_window *w, uint64_t start, uint64_t end, char oem[9])
{
    for (uint64_t a = start & ~15ull; a + MPF_SIZE <= end; a += 16)
        if (table_at(w, a, oem) == 0)
            return 0;
    return -1;
}

int mptable_find_oem(const struct phys_window *w, uint64_t ebda_base, uint64_t base_mem_end,
                     char oem[9])
{
    oem[0] = '\0';
    if (ebda_base != 0 && ebda_base < BIOS_ROM_END &&
        scan(w, ebda_base, ebda_base + 1024, oem) == 0)
        return 0;
    if (base_mem_end < 1024 || base_mem_end > DEFAULT_BASE_MEM_END)
        base_mem_end = DEFAULT_BASE_MEM_END;
    if (scan(w, base_mem_end - 1024, base_mem_end, oem) == 0)
        return 0;
    if (scan(w, BIOS_ROM_START, BIOS_ROM_END, oem) == 0)
        return 0;
    oem[0] = '\0';
    return -1;
}
