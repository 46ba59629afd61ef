/* The ACPI Serial Port Console Redirection table (Microsoft, "Serial Port
 * Console Redirection Table", revisions 1-4): which serial port the
 * platform means as its console. Pure logic. Layout after the 36-byte
 * header: interface type (u8 at 36; 0 = full 16550, 1 = 16450 in revision
 * 1, the 16550 subset in the Debug Port Table 2 numbering of later
 * revisions), three reserved bytes, then the base address as a Generic
 * Address Structure (ACPI 6.5 section 5.2.3.2) at 40: address space (0
 * memory, 1 system I/O), bit width, bit offset, access size, u64 address. */
#include "core/acpi_spcr.h"

#include "core/unaligned.h"

#define SPCR_MIN_LEN 52
#define SPCR_INTERFACE 36
#define SPCR_BASE 40
#define GAS_SYSTEM_IO 1

int acpi_spcr_port(const uint8_t *t, uint32_t len, uint16_t *port, const char **why)
{
    if (len < SPCR_MIN_LEN) {
        *why = "shorter than its base address";
        return -1;
    }
    uint8_t interface = t[SPCR_INTERFACE];
    if (interface > 1) {
        *why = "not a 16550 or 16450";
        return -1;
    }
    uint64_t addr = rd64(t + SPCR_BASE + 4);
    if (t[SPCR_BASE] != GAS_SYSTEM_IO) {
        *why = "not in I/O port space";
        return -1;
    }
    if (addr == 0 || addr > 0xFFF8) {
        *why = "port outside 1-0xfff8";
        return -1;
    }
    *port = (uint16_t)addr;
    return 0;
}
