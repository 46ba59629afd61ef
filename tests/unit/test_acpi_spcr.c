/* core/acpi_spcr.c: the serial console an SPCR table names, for a 16550
 * in I/O space as firmware describes COM1, and the tables this kernel
 * cannot use. */
#include <stdint.h>
#include "core/acpi_spcr.h"
#include "unit.h"

static uint8_t t[80];

static void spcr(uint8_t interface, uint8_t space, uint64_t addr)
{
    memset(t, 0, sizeof t);
    memcpy(t, "SPCR", 4);
    t[36] = interface;
    t[40] = space;
    t[41] = 8; /* bit width */
    t[43] = 1; /* byte access */
    memcpy(t + 44, &addr, 8);
}

TEST(com1_in_io_space)
{
    uint16_t port = 0;
    const char *why = NULL;
    spcr(0, 1, 0x3F8);
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), 0);
    CHECK_EQ(port, 0x3F8);
    spcr(1, 1, 0x2F8);
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), 0);
    CHECK_EQ(port, 0x2F8);
}

TEST(refuses_what_the_kernel_does_not_drive)
{
    uint16_t port = 0x1234;
    const char *why = NULL;
    spcr(0, 0, 0xFEDC9000); /* memory-mapped */
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), -1);
    CHECK(strstr(why, "I/O port space") != NULL);
    spcr(3, 0, 0x9000000); /* an ARM PL011 */
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), -1);
    CHECK(strstr(why, "16550") != NULL);
    spcr(0, 1, 0);
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), -1);
    spcr(0, 1, 0x10000);
    CHECK_EQ(acpi_spcr_port(t, sizeof t, &port, &why), -1);
    spcr(0, 1, 0x3F8);
    CHECK_EQ(acpi_spcr_port(t, 51, &port, &why), -1); /* cut short */
    CHECK_EQ(port, 0x1234);
}

UNIT_MAIN()
